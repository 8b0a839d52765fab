import assert from "node:assert/strict";
import type { Alert } from "../../core/domain/alert.ts";
import { formatPrice } from "../../core/domain/price_format.ts";
import { escapeHtml, renderAlertEmail } from "../../core/notify/alert_email.ts";

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

Deno.test("formatPrice() writes a price at its own precision, without grouping", () => {
  assert.equal(formatPrice(151.2), "151.20");
  assert.equal(formatPrice(93412.58), "93412.58");
  assert.equal(formatPrice(1234567.891), "1234567.89");
  assert.equal(formatPrice(1.17125), "1.17125");
  assert.equal(formatPrice(1.0489877), "1.0489877");
  assert.equal(formatPrice(0.00001234), "0.00001234");
  assert.equal(formatPrice(0.000123456789), "0.00012345679");
  assert.equal(formatPrice(0.1 + 0.2), "0.30");
  assert.equal(formatPrice(187.42333333333), "187.42333");
});

Deno.test("formatPrice() appends the currency as the source spells it", () => {
  assert.equal(formatPrice(308.8, "GBp"), "308.80 GBp");
  assert.equal(formatPrice(1.0489877, "USD"), "1.0489877 USD");
  assert.equal(formatPrice(2808), "2808.00");
});

Deno.test("renderAlertEmail() shows prices with their currency and precision", () => {
  const mail = renderAlertEmail({
    ...HIGH,
    ticker: "OCDO.L",
    thresholdValue: 300,
    price: 308.8,
    currency: "GBp",
  });
  assert.equal(mail.subject, "OCDO.L rose above 300.00 GBp: now 308.80 GBp");
  assert.match(mail.text, /^Current price: 308\.80 GBp$/m);
  assert.match(mail.text, /^Threshold: +300\.00 GBp \(HIGH\)$/m);
  assert.ok(mail.html.includes("308.80 GBp"));
  const coin = renderAlertEmail({
    ...HIGH,
    ticker: "SHIB-USD",
    thresholdType: "LOW",
    thresholdValue: 0.0000125,
    price: 0.00001234,
    currency: "USD",
  });
  assert.equal(coin.subject, "SHIB-USD fell below 0.0000125 USD: now 0.00001234 USD");
});

Deno.test("escapeHtml() escapes & < > \" '", () => {
  assert.equal(escapeHtml(`a&b<c>"d"'e'`), "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
});
