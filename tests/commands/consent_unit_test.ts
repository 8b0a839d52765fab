import assert from "node:assert/strict";
import {
  ConfigError,
  ConsentLinks,
  ConsentService,
  type ConsentStore,
  type Email,
  LinkSigner,
  loadCommandServerConfig,
  loadNotifierConfig,
  NotifierMessageSchema,
  renderConfirmationEmail,
} from "../../core/mod.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const email = "ada@example.com" as Email;

Deno.test("loadCommandServerConfig() turns double opt-in and the link listener on by default", () => {
  const { consent } = loadCommandServerConfig({});
  assert.equal(consent.requireConfirmation, true);
  assert.equal(consent.publicHttpAddr, "0.0.0.0:8080");
  assert.equal(consent.baseUrl, "http://localhost:8080");
  assert.equal(consent.confirmationTtlMs, 7 * 86_400_000);
  assert.equal(consent.developmentKey, true);
  const off = loadCommandServerConfig({ REQUIRE_CONFIRMATION: "off", PUBLIC_HTTP_ADDR: "off" });
  assert.equal(off.consent.requireConfirmation, false);
  assert.equal(off.consent.publicHttpAddr, null);
});

Deno.test("loadCommandServerConfig() needs https and a signing key for a public base URL", () => {
  assert.throws(
    () => loadCommandServerConfig({ PUBLIC_BASE_URL: "http://alerts.example.com" }),
    (err) => err instanceof ConfigError && /PUBLIC_BASE_URL.*https/.test(err.message),
  );
  assert.throws(
    () => loadCommandServerConfig({ PUBLIC_BASE_URL: "https://alerts.example.com" }),
    (err) => err instanceof ConfigError && /LINK_SIGNING_KEY/.test(err.message),
  );
  const { consent } = loadCommandServerConfig({
    PUBLIC_BASE_URL: "https://alerts.example.com",
    LINK_SIGNING_KEY: KEY,
  });
  assert.equal(consent.signingKey, KEY);
  assert.equal(consent.developmentKey, false);
});

Deno.test("loadCommandServerConfig() refuses a short key without printing it, and reads LINK_SIGNING_KEY_FILE", async () => {
  assert.throws(
    () => loadCommandServerConfig({ LINK_SIGNING_KEY: "hunter2-short" }),
    (err) =>
      err instanceof ConfigError && /LINK_SIGNING_KEY.*32 bytes/.test(err.message) &&
      !err.message.includes("hunter2"),
  );
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, `${KEY}\n`);
    const config = loadNotifierConfig({
      LINK_SIGNING_KEY_FILE: file,
      PUBLIC_BASE_URL: "https://alerts.example.com/tw",
    });
    assert.deepEqual(config.links, {
      baseUrl: "https://alerts.example.com/tw",
      signingKey: KEY,
      developmentKey: false,
    });
    assert.throws(
      () => loadNotifierConfig({ LINK_SIGNING_KEY_FILE: file, LINK_SIGNING_KEY: KEY }),
      /LINK_SIGNING_KEY_FILE/,
    );
  } finally {
    await Deno.remove(file);
  }
});

function recordingStore(): ConsentStore & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    confirm: (e, nonce) => {
      calls.push(`confirm ${e} ${nonce}`);
      return Promise.resolve(nonce === "good");
    },
    unsubscribe: (e) => {
      calls.push(`unsubscribe ${e}`);
      return Promise.resolve(true);
    },
  };
}

Deno.test("ConsentService.confirm() refuses expired and forged links without asking the store", async () => {
  const links = new ConsentLinks({ baseUrl: "https://a.example", signer: new LinkSigner(KEY) });
  const store = recordingStore();
  const now = new Date("2026-01-01T00:00:00Z");
  const consent = new ConsentService({ links, store, now: () => now });
  const token = (nonce: string, expiresAt: Date) =>
    new URL(links.confirmUrl({ email, nonce, expiresAt })).searchParams.get("t")!;
  assert.deepEqual(await consent.confirm(token("good", new Date(now.getTime() - 1))), {
    outcome: "expired",
    email,
  });
  const forged = new ConsentLinks({
    baseUrl: "https://a.example",
    signer: new LinkSigner("x".repeat(32)),
  });
  const forgedToken = new URL(
    forged.confirmUrl({ email, nonce: "good", expiresAt: new Date(2100, 0) }),
  )
    .searchParams.get("t")!;
  assert.deepEqual(await consent.confirm(forgedToken), { outcome: "invalid" });
  assert.deepEqual(store.calls, []);
  const later = new Date(now.getTime() + 1_000);
  assert.deepEqual(await consent.confirm(token("good", later)), { outcome: "confirmed", email });
  assert.deepEqual(await consent.confirm(token("stale", later)), { outcome: "used", email });
});

Deno.test("NotifierMessageSchema accepts version-1 alerts as they are and confirmation requests by kind", () => {
  const alert = {
    version: 1,
    alert_id: "a1",
    email: "ann@example.com",
    ticker: "AAPL",
    threshold_value: 150,
    threshold_type: "HIGH",
    value_ticker: 151.2,
    timestamp: "2026-01-05T15:31:02.000Z",
  };
  assert.equal(NotifierMessageSchema.safeParse(alert).success, true);
  const confirmation = {
    version: 1,
    kind: "confirmation",
    confirmation_id: "confirm-abc",
    email: "ann@example.com",
    confirm_url: "https://a.example/confirm?t=x.y",
    expires_at: "2026-01-12T00:00:00.000Z",
  };
  assert.equal(NotifierMessageSchema.safeParse(confirmation).success, true);
  assert.equal(NotifierMessageSchema.safeParse({ ...confirmation, kind: "other" }).success, false);
  assert.equal(
    NotifierMessageSchema.safeParse({ ...confirmation, confirm_url: "javascript:alert(1)" })
      .success,
    false,
  );
});

Deno.test("renderConfirmationEmail() shows the link in both parts, escaped in HTML, with a stable Message-ID", () => {
  const mail = renderConfirmationEmail({
    version: 1,
    kind: "confirmation",
    confirmation_id: "confirm-abc",
    email: "ann@example.com",
    confirm_url: "https://a.example/confirm?t=x.y&z=<b>",
    expires_at: "2026-01-12T00:00:00.000Z",
  });
  assert.equal(mail.to, "ann@example.com");
  assert.equal(mail.messageId, "<confirm-abc@tickerwatch>");
  assert.ok(mail.text.includes("https://a.example/confirm?t=x.y&z=<b>"));
  assert.ok(mail.html.includes('href="https://a.example/confirm?t=x.y&amp;z=&lt;b&gt;"'));
  assert.ok(!mail.html.includes("<b>"));
});
