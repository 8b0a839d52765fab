import assert from "node:assert/strict";
import {
  alertFromMessage,
  alertMail,
  AlertMessageSchema,
  SmtpMailer,
  withHeldBackNote,
} from "../../core/mod.ts";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";
import { alert } from "../notify/_notify.ts";
import { TRICKY_VALID_EMAILS } from "./_hostile.ts";

// Values that pass the to-notifier schema (ticker ≤ 20, currency ≤ 12 characters), as a
// compromised producer or an odd Yahoo answer could send them.
const TRICKS = [
  { ticker: '"><svg/onload=1>', currency: "<i>&'\"</i>" },
  { ticker: "<b>A&amp;B</b>", currency: "US$<br>" },
  { ticker: "\u202EAAPL\u200B", currency: "€\u0000" },
  { ticker: "A\r\nBcc: x@evil.io", currency: "USD\r\nX-A: 1" },
  { ticker: "^GSPC", currency: "GBp" },
  { ticker: "EURUSD=X", currency: "' OR 1=1--" },
];

Deno.test(
  "alert mails escape tickers and currencies in the HTML, keep them out of the headers and reach only the recipient",
  async () => {
    await using catcher = await SmtpCatcher.start();
    await using mailer = new SmtpMailer({ url: catcher.url(), from: "alerts@tickerwatch.test" });
    const recipients = [
      "ann@example.com",
      ...TRICKY_VALID_EMAILS.filter((e) => !e.startsWith('"')),
    ];
    let sent = 0;
    for (const [i, t] of TRICKS.entries()) {
      const message = AlertMessageSchema.parse(
        alert({ ...t, email: recipients[i % recipients.length]! }),
      );
      const mail = withHeldBackNote(alertMail(alertFromMessage(message)), 3, 20);
      for (const markup of ["<svg", "<i>", "<b>", "<br>", "onload=1>"]) {
        assert.ok(!mail.html.includes(markup), `${markup} unescaped in ${mail.html}`);
      }
      const all = mail.html + mail.text + mail.subject;
      assert.ok(!all.includes("\u0000") && !all.includes("\u202E"), "a NUL or a bidi override");
      await mailer.send(mail);
      sent++;
    }
    const caught = await catcher.waitForMessages(sent);
    caught.forEach((m, i) => {
      const parsed = parseMessage(m.raw);
      assert.deepEqual(m.to, [recipients[i % recipients.length]], "one recipient, the alert's");
      assert.equal(parsed.headers.get("bcc"), undefined, "a header injected through the subject");
      assert.equal(parsed.headers.get("x-a"), undefined, "a header injected through the currency");
      if (i < 2) assert.ok(parsed.html.includes("&lt;"), parsed.html);
      for (const part of [parsed.subject, parsed.text, parsed.html]) {
        const invisible = ["\u0000", "\u202E", "\u200B"].filter((c) => part.includes(c));
        assert.deepEqual(invisible, [], `a control or bidi character in ${part}`);
      }
    });
    const first = parseMessage(caught[0]!.raw);
    assert.match(first.html, /&quot;&gt;&lt;svg\/onload=1&gt;/);
    assert.match(first.html, /&lt;i&gt;&amp;&#39;&quot;&lt;\/i&gt;/);
  },
);
