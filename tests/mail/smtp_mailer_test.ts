import assert from "node:assert/strict";
import { createLogger } from "../../core/log/logger.ts";
import { type AlertEmailInput, renderAlertEmail } from "../../core/notify/alert_email.ts";
import { MailSendError } from "../../core/notify/mailer.ts";
import { SmtpMailer } from "../../core/mail/smtp_mailer.ts";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";

const ALERT: AlertEmailInput = {
  alertId: "a-1",
  email: "ann@example.com",
  ticker: "BRK-B",
  thresholdType: "HIGH",
  thresholdValue: 480,
  price: 497.63,
  at: new Date("2026-01-05T15:31:02Z"),
};

const FAST = { connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 5_000 };

Deno.test("SmtpMailer sends an alert email through a real SMTP server", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({
    url: catcher.url(),
    from: "tickerwatch <alerts@tickerwatch.test>",
    ...FAST,
  });
  const { messageId } = await mailer.send(renderAlertEmail(ALERT));
  assert.match(messageId, /^<.+@.+>$/);

  const [caught] = await catcher.waitForMessages(1);
  assert.equal(caught!.from, "alerts@tickerwatch.test");
  assert.deepEqual(caught!.to, ["ann@example.com"]);
  const mail = parseMessage(caught!.raw);
  assert.equal(mail.headers.get("message-id"), messageId);
  assert.equal(mail.to, "ann@example.com");
  assert.equal(mail.from, "tickerwatch <alerts@tickerwatch.test>");
  assert.equal(mail.subject, "BRK-B rose above 480.00: now 497.63");
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes("BRK-B"), body);
    assert.ok(body.includes("497.63"), body);
    assert.ok(body.includes("480.00"), body);
    assert.ok(body.includes("rose above"), body);
    assert.ok(body.includes("2026-01-05T15:31:02.000Z"), body);
  }
  assert.match(mail.html, /<table>/);
  assert.equal(mail.text, renderAlertEmail(ALERT).text);
});

Deno.test("SmtpMailer reuses pooled connections for many mails", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({ url: catcher.url(), from: "a@tickerwatch.test", ...FAST });
  const sends = Array.from(
    { length: 20 },
    (_, i) =>
      mailer.send(renderAlertEmail({ ...ALERT, email: `u${i}@example.com`, price: 490 + i })),
  );
  const ids = await Promise.all(sends);
  assert.equal(new Set(ids.map((r) => r.messageId)).size, 20);
  const caught = await catcher.waitForMessages(20);
  assert.deepEqual(
    caught.map((m) => m.to[0]).sort(),
    Array.from({ length: 20 }, (_, i) => `u${i}@example.com`).sort(),
  );
  assert.ok(catcher.connections <= 5, `${catcher.connections} connections for 20 mails`);
});

Deno.test("SmtpMailer.send() rejects with a retriable MailSendError during an outage, then succeeds after up()", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({ url: catcher.url(), from: "a@tickerwatch.test", ...FAST });
  catcher.down();
  await assert.rejects(mailer.send(renderAlertEmail(ALERT)), (e) => {
    assert.ok(e instanceof MailSendError, String(e));
    assert.equal(e.name, "MailSendError");
    assert.equal(e.retriable, true);
    assert.equal(e.responseCode, 421);
    assert.match(e.message, /^Cannot send mail to ann@example\.com: /);
    return true;
  });
  assert.equal(catcher.messages.length, 0);

  catcher.up();
  await mailer.send(renderAlertEmail(ALERT));
  const [caught] = await catcher.waitForMessages(1);
  assert.equal(parseMessage(caught!.raw).subject, "BRK-B rose above 480.00: now 497.63");
});

Deno.test("SmtpMailer.send() fails retriably on an open pooled connection when the server goes down", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({ url: catcher.url(), from: "a@tickerwatch.test", ...FAST });
  await mailer.send(renderAlertEmail(ALERT));
  catcher.down();
  await assert.rejects(
    mailer.send(renderAlertEmail({ ...ALERT, price: 500 })),
    (e) => e instanceof MailSendError && e.retriable && e.responseCode === 421,
  );
  catcher.up();
  await mailer.send(renderAlertEmail({ ...ALERT, price: 501 }));
  const caught = await catcher.waitForMessages(2);
  assert.deepEqual(caught.map((m) => parseMessage(m.raw).subject), [
    "BRK-B rose above 480.00: now 497.63",
    "BRK-B rose above 480.00: now 501.00",
  ]);
});

Deno.test("SmtpMailer.send() treats a 451 temporary refusal as retriable", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({ url: catcher.url(), from: "a@tickerwatch.test", ...FAST });
  catcher.failNext(1);
  await assert.rejects(
    mailer.send(renderAlertEmail(ALERT)),
    (e) => e instanceof MailSendError && e.retriable && e.responseCode === 451,
  );
  await mailer.send(renderAlertEmail(ALERT));
  assert.equal((await catcher.waitForMessages(1)).length, 1);
  assert.equal(catcher.rejected, 1);
});

Deno.test("SmtpMailer.send() rejects with a retriable MailSendError when nothing listens", async () => {
  const catcher = await SmtpCatcher.start();
  const url = catcher.url();
  await catcher.stop();
  await using mailer = new SmtpMailer({ url, from: "a@tickerwatch.test", ...FAST });
  await assert.rejects(mailer.send(renderAlertEmail(ALERT)), (e) => {
    assert.ok(e instanceof MailSendError, String(e));
    assert.equal(e.retriable, true);
    assert.ok(e.code === "ESOCKET" || e.code === "ECONNECTION", String(e.code));
    assert.match(e.message, /ECONNREFUSED|refused/i);
    return true;
  });
});

Deno.test("SmtpMailer.send() rejects a mail without a valid recipient as not retriable", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({ url: catcher.url(), from: "a@tickerwatch.test", ...FAST });
  await assert.rejects(
    mailer.send({ ...renderAlertEmail(ALERT), to: "" }),
    (e) => e instanceof MailSendError && !e.retriable && e.code === "EENVELOPE",
  );
});

Deno.test("SmtpMailer authenticates with the URL's credentials and never logs the password", async () => {
  await using catcher = await SmtpCatcher.start({ requireAuth: true });
  const lines: string[] = [];
  const logger = createLogger("test", { level: "debug", sink: (l) => lines.push(l) });
  const url = catcher.url({ username: "notifier", password: "s3cr3t-pa55" });
  await using mailer = new SmtpMailer({ url, from: "a@tickerwatch.test", logger, ...FAST });
  await mailer.send(renderAlertEmail(ALERT));
  const [caught] = await catcher.waitForMessages(1);
  assert.deepEqual(caught!.auth, { username: "notifier", password: "s3cr3t-pa55" });
  assert.ok(lines.length >= 2, lines.join("\n"));
  assert.ok(lines.some((l) => l.includes("notifier:***@127.0.0.1")), lines.join("\n"));
  assert.ok(!lines.some((l) => l.includes("s3cr3t")), lines.join("\n"));
});

Deno.test("SmtpMailer without pool sends over one connection per mail", async () => {
  await using catcher = await SmtpCatcher.start();
  await using mailer = new SmtpMailer({
    url: catcher.url(),
    from: "a@tickerwatch.test",
    pool: false,
    ...FAST,
  });
  await mailer.send(renderAlertEmail(ALERT));
  assert.equal((await catcher.waitForMessages(1)).length, 1);
});

Deno.test("SmtpMailer rejects a non-SMTP URL and refuses to send once closed", async () => {
  assert.throws(
    () => new SmtpMailer({ url: "http://localhost:25", from: "a@b.test" }),
    /url must use smtp: or smtps:, got "http:"/,
  );
  assert.throws(() => new SmtpMailer({ url: "not a url", from: "a@b.test" }), TypeError);
  const mailer = new SmtpMailer({ url: "smtp://127.0.0.1:1", from: "a@b.test" });
  await mailer.close();
  await assert.rejects(
    mailer.send(renderAlertEmail(ALERT)),
    (e) => e instanceof MailSendError && !e.retriable && /closed/.test(e.message),
  );
});

Deno.test("SmtpMailer's pooled sender puts on the wire the bytes of nodemailer's raw path", async () => {
  await using catcher = await SmtpCatcher.start();
  const from = "tickerwatch <alerts@tickerwatch.test>";
  await using pooled = new SmtpMailer({ url: catcher.url(), from, ...FAST });
  await using single = new SmtpMailer({ url: catcher.url(), from, pool: false, ...FAST });
  const rendered = renderAlertEmail(ALERT);
  // Lines that the connection must dot-stuff, and one without a final newline.
  const mail = {
    ...rendered,
    messageId: "<a-1@tickerwatch>",
    text: `${rendered.text}.\n..two dots\n.`,
    headers: { "List-Unsubscribe": "<https://example.com/u?t=x>" },
  };
  await pooled.send(mail);
  await single.send(mail);
  const [a, b] = await catcher.waitForMessages(2);
  const normalize = (raw: string) => {
    const boundary = /boundary="([^"]+)"/.exec(raw)![1]!;
    return raw.replaceAll(boundary, "BOUNDARY").replace(/^Date: .*$/m, "Date: D");
  };
  assert.equal(a!.from, b!.from);
  assert.deepEqual(a!.to, b!.to);
  assert.equal(normalize(a!.raw), normalize(b!.raw));
  assert.ok(a!.raw.includes("\r\n.\r\n..two dots\r\n."), a!.raw);
  assert.equal(parseMessage(a!.raw).headers.get("message-id"), "<a-1@tickerwatch>");
});
