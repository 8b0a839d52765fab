import assert from "node:assert/strict";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";

Deno.test("SmtpCatcher.waitForMessages() rejects after its timeout with the count received", async () => {
  await using catcher = await SmtpCatcher.start();
  await assert.rejects(catcher.waitForMessages(1, 50), /waited 50 ms for 1 messages, got 0/);
});

Deno.test("parseMessage() decodes encoded-word subjects and quoted-printable and base64 parts", () => {
  const raw = [
    "From: a@b.test",
    "To: c@d.test",
    "Subject: =?UTF-8?Q?Pr=C3=A9vu_?=",
    " =?UTF-8?B?4oKsIDEw?=",
    'Content-Type: multipart/alternative; boundary="--b1"',
    "",
    "----b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "caf=C3=A9 and a very long line that was wrapped =",
    "here",
    "----b1",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    btoa("<p>hi</p>"),
    "----b1--",
    "",
  ].join("\r\n");
  const mail = parseMessage(raw);
  assert.equal(mail.subject, "Prévu € 10");
  assert.equal(mail.to, "c@d.test");
  assert.equal(mail.text, "café and a very long line that was wrapped here");
  assert.equal(mail.html, "<p>hi</p>");
});
