/** SMTP_REQUIRE_TLS through a real STARTTLS handshake with an smtp-server and openssl-made certs. */
import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { SmtpMailer } from "../../core/mail/smtp_mailer.ts";
import { MailSendError } from "../../core/notify/mailer.ts";
import { loadNotifierConfig } from "../../core/mod.ts";
import { testCertificates } from "../helpers/tls_certs.ts";

const FAST = { connectionTimeoutMs: 3_000, greetingTimeoutMs: 3_000, socketTimeoutMs: 5_000 };
const MAIL = { to: "ann@example.com", subject: "hello", text: "hello", html: "<p>hello</p>" };

/** An SMTP server on a free loopback port, STARTTLS offered unless `plainOnly`. */
async function smtpServer(tls: { key: string; cert: string } | null) {
  const received: { secure: boolean }[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["AUTH"],
    ...(tls ? { key: tls.key, cert: tls.cert } : { hideSTARTTLS: true }),
    logger: false,
    onData(stream, session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        received.push({ secure: session.secure });
        callback();
      });
    },
  });
  // A client that rejects the certificate aborts the handshake: the server reports it here.
  const errors: Error[] = [];
  server.on("error", (err) => errors.push(err));
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port))
  );
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    errors,
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

Deno.test("SmtpMailer with requireTls sends over STARTTLS with the right CA", async () => {
  await using certs = await testCertificates();
  await using smtp = await smtpServer({
    key: await Deno.readTextFile(certs.serverKey),
    cert: await Deno.readTextFile(certs.serverCert),
  });
  await using mailer = new SmtpMailer({
    url: smtp.url,
    from: "alerts@tickerwatch.test",
    requireTls: true,
    tlsCa: await Deno.readTextFile(certs.caCert),
    tlsServerName: "localhost",
    pool: false,
    ...FAST,
  });
  await mailer.send(MAIL);
  assert.deepEqual(smtp.received, [{ secure: true }]);
});

Deno.test("SmtpMailer with requireTls refuses a server without STARTTLS and a certificate of another CA", async () => {
  await using certs = await testCertificates();
  {
    await using plain = await smtpServer(null);
    await using mailer = new SmtpMailer({
      url: plain.url,
      from: "alerts@tickerwatch.test",
      requireTls: true,
      pool: false,
      ...FAST,
    });
    await assert.rejects(mailer.send(MAIL), MailSendError);
    assert.deepEqual(plain.received, [], "nothing went out in the clear");
    await using lax = new SmtpMailer({ url: plain.url, from: "a@tickerwatch.test", pool: false });
    await lax.send(MAIL);
    assert.deepEqual(
      plain.received,
      [{ secure: false }],
      "without requireTls it sends in the clear",
    );
  }
  await using smtp = await smtpServer({
    key: await Deno.readTextFile(certs.serverKey),
    cert: await Deno.readTextFile(certs.serverCert),
  });
  await using mailer = new SmtpMailer({
    url: smtp.url,
    from: "alerts@tickerwatch.test",
    requireTls: true,
    tlsCa: await Deno.readTextFile(certs.wrongCaCert),
    tlsServerName: "localhost",
    pool: false,
    ...FAST,
  });
  await assert.rejects(mailer.send(MAIL), MailSendError);
  assert.deepEqual(smtp.received, []);
});

Deno.test("loadNotifierConfig() reads SMTP_REQUIRE_TLS, SMTP_TLS_CA and SMTP_URL_FILE", async () => {
  await using certs = await testCertificates();
  const urlFile = `${certs.dir}/smtp_url`;
  await Deno.writeTextFile(urlFile, "smtp://tw:mail-secret@mail.example.com:587\n");
  const c = loadNotifierConfig({
    SMTP_REQUIRE_TLS: "true",
    SMTP_TLS_CA: certs.caCert,
    SMTP_URL_FILE: urlFile,
  });
  assert.equal(c.smtpRequireTls, true);
  assert.equal(c.smtpTlsCa, certs.caCert);
  assert.equal(c.smtpUrl, "smtp://tw:mail-secret@mail.example.com:587");
  assert.equal(loadNotifierConfig({}).smtpRequireTls, false);
});
