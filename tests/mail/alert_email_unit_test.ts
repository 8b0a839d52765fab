import assert from "node:assert/strict";
import type { Alert } from "../../core/domain/alert.ts";
import { escapeHtml, formatPrice, renderAlertEmail } from "../../core/notify/alert_email.ts";

const HIGH: Alert = {
  alertId: "7f3c2a10-0000-4000-8000-000000000001",
  email: "ann@example.com",
  ticker: "AAPL",
  thresholdType: "HIGH",
  thresholdValue: 150,
  price: 151.2,
  at: new Date("2026-01-05T15:30:00Z"),
};

Deno.test("renderAlertEmail() renders a HIGH alert as 'rose above' in subject, text and HTML", () => {
  const mail = renderAlertEmail(HIGH);
  assert.equal(mail.to, "ann@example.com");
  assert.equal(mail.subject, "AAPL rose above 150.00: now 151.20");
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes("AAPL"));
    assert.ok(body.includes("151.20"), "current price");
    assert.ok(body.includes("150.00"), "threshold");
    assert.ok(body.includes("rose above"));
    assert.ok(body.includes("2026-01-05T15:30:00.000Z"), "ISO time");
    assert.ok(body.includes("Mon, 05 Jan 2026 15:30:00 UTC"), "readable UTC time");
    assert.ok(body.includes(HIGH.alertId));
  }
  assert.match(mail.text, /^Threshold: +150\.00 \(HIGH\)$/m);
  assert.match(mail.html, /^<!doctype html>/);
});

Deno.test("renderAlertEmail() renders a LOW alert as 'fell below'", () => {
  const mail = renderAlertEmail({
    ...HIGH,
    thresholdType: "LOW",
    thresholdValue: 1.175,
    price: 1.1712,
    ticker: "EURUSD=X",
  });
  assert.equal(mail.subject, "EURUSD=X fell below 1.175: now 1.1712");
  assert.ok(mail.text.includes("fell below your low threshold"));
  assert.ok(mail.html.includes("fell below"));
  assert.ok(!mail.html.includes("rose above"));
});

Deno.test("renderAlertEmail() HTML-escapes every value", () => {
  const mail = renderAlertEmail({ ...HIGH, ticker: "<b>X&Y</b>", alertId: `"'><script>` });
  assert.ok(!mail.html.includes("<b>X&Y</b>"));
  assert.ok(!mail.html.includes("<script>"));
  assert.ok(mail.html.includes("&lt;b&gt;X&amp;Y&lt;/b&gt;"));
  assert.ok(mail.html.includes("&quot;&#39;&gt;&lt;script&gt;"));
  assert.ok(mail.text.includes("<b>X&Y</b>"), "plain text stays as is");
});

Deno.test("formatPrice() keeps 2 to 6 decimals without grouping", () => {
  assert.equal(formatPrice(151.2), "151.20");
  assert.equal(formatPrice(93412.58), "93412.58");
  assert.equal(formatPrice(1.17125), "1.17125");
  assert.equal(formatPrice(0.000123456789), "0.000123");
});

Deno.test("escapeHtml() escapes & < > \" '", () => {
  assert.equal(escapeHtml(`a&b<c>"d"'e'`), "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
});
