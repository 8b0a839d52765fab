import assert from "node:assert/strict";
import { alertFromMessage, alertMail, type Mail, SmtpMailer } from "../../core/mod.ts";
import { composePlainMessage } from "../../core/mail/plain_mime.ts";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";
import { alert } from "../notify/_notify.ts";

const FROM = "tickerwatch <alerts@tickerwatch.test>";

function mailOf(overrides: Partial<Mail> = {}): Mail {
  return {
    ...alertMail(
      alertFromMessage(alert({ alert_id: "plain1" })),
      "http://localhost:8080/unsubscribe?e=ann%40example.com&s=abc",
    ),
    ...overrides,
  };
}

Deno.test("composePlainMessage() leaves to nodemailer every mail that needs encoding", () => {
  assert.ok(composePlainMessage(mailOf(), FROM, "tickerwatch.test"));
  const refused: [string, Partial<Mail>][] = [
    ["non-ASCII subject", { subject: "AAPL \uFFFD rose" }],
    ["CR LF in the subject", { subject: "AAPL\r\nBcc: eve@example.com" }],
    ["LF in a header", { headers: { "List-Unsubscribe": "<a>\nBcc: eve@example.com" } }],
    ["bad header name", { headers: { "X Bad": "1" } }],
    ["non-ASCII text", { text: "Preis 151,20 \u20AC\n" }],
    ["CR in the html", { html: "<p>a\rb</p>" }],
    ["a 999-octet body line", { text: "x".repeat(999) }],
    ["two recipients", { to: "a@example.com, b@example.com" }],
    ["a display name", { to: "Ann <ann@example.com>" }],
    ["a non-ASCII address", { to: "ann@ex\u00E4mple.com" }],
  ];
  for (const [what, overrides] of refused) {
    assert.equal(composePlainMessage(mailOf(overrides), FROM, "x.test"), undefined, what);
  }
});

Deno.test(
  "SmtpMailer: a plain ASCII mail composed here and the same mail through nodemailer's builder arrive alike",
  async () => {
    await using catcher = await SmtpCatcher.start();
    await using fast = new SmtpMailer({ url: catcher.url(), from: FROM });
    await using slow = new SmtpMailer({ url: catcher.url(), from: FROM, composePlain: false });
    const mail = mailOf();
    const sent = [await fast.send(mail), await slow.send(mail)];
    const [a, b] = (await catcher.waitForMessages(2)).map((m) => parseMessage(m.raw));
    assert.ok(!catcher.messages[1]!.raw.includes("_tw-"), "the second went through nodemailer");
    assert.ok(catcher.messages[0]!.raw.includes("_tw-"), "the first was composed here");
    for (const name of ["from", "to", "subject", "message-id", "mime-version"]) {
      assert.equal(a!.headers.get(name), b!.headers.get(name), name);
    }
    assert.equal(a!.headers.get("list-unsubscribe"), mail.headers!["List-Unsubscribe"]);
    assert.equal(a!.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    for (const name of ["list-unsubscribe", "list-unsubscribe-post"]) {
      assert.equal(a!.headers.get(name), b!.headers.get(name), name);
    }
    assert.equal(a!.text, b!.text);
    assert.equal(a!.html, b!.html);
    assert.equal(a!.text, mail.text);
    assert.equal(sent[0]!.messageId, "<plain1@tickerwatch>");
    assert.deepEqual(catcher.messages.map((m) => m.from), [
      "alerts@tickerwatch.test",
      "alerts@tickerwatch.test",
    ]);
    assert.deepEqual(catcher.messages.map((m) => m.to), [["ann@example.com"], ["ann@example.com"]]);
    assert.ok(
      Date.parse(a!.headers.get("date")!) > Date.now() - 60_000,
      a!.headers.get("date") ?? "",
    );
    // Without a Message-ID of its own, the mail gets a fresh one on the sender's domain.
    const { messageId: _omit, ...anonymous } = mail;
    const { messageId } = await fast.send(anonymous);
    assert.match(messageId, /^<[0-9a-f-]{36}@tickerwatch\.test>$/);
    const [, , third] = await catcher.waitForMessages(3);
    assert.equal(parseMessage(third!.raw).headers.get("message-id"), messageId);
  },
);
