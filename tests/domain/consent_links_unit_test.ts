import assert from "node:assert/strict";
import { ConsentLinks, type Email, LinkSigner } from "../../core/mod.ts";

const KEY = "k".repeat(32);
const email = "ada@example.com" as Email;

Deno.test("LinkSigner.verify() returns the payload of a token it signed", () => {
  const signer = new LinkSigner(KEY);
  assert.equal(
    signer.verify(signer.sign('{"k":"u","e":"ada@example.com"}')),
    '{"k":"u","e":"ada@example.com"}',
  );
});

Deno.test("LinkSigner.verify() refuses a token signed with another key", () => {
  const token = new LinkSigner("x".repeat(32)).sign("payload");
  assert.equal(new LinkSigner(KEY).verify(token), undefined);
});

Deno.test("LinkSigner.verify() refuses a changed payload, a changed signature and garbage", () => {
  const signer = new LinkSigner(KEY);
  const token = signer.sign('{"k":"u","e":"ada@example.com"}');
  const [body, mac] = token.split(".") as [string, string];
  const otherBody = btoa('{"k":"u","e":"bob@example.com"}').replaceAll("=", "");
  assert.equal(signer.verify(`${otherBody}.${mac}`), undefined);
  const flipped = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
  assert.equal(signer.verify(`${body}.${flipped}`), undefined);
  assert.equal(signer.verify(`${body}.${mac.slice(1)}`), undefined);
  assert.equal(signer.verify(""), undefined);
  assert.equal(signer.verify("...."), undefined);
});

Deno.test("LinkSigner refuses a key shorter than 32 bytes and never prints it", () => {
  assert.throws(() => new LinkSigner("short"), RangeError);
  const signer = new LinkSigner(KEY);
  assert.equal(JSON.stringify({ signer }).includes(KEY), false);
});

Deno.test("ConsentLinks reads back the claims of its confirmation and unsubscribe links", () => {
  const links = new ConsentLinks({
    baseUrl: "https://alerts.example.com/",
    signer: new LinkSigner(KEY),
  });
  const expiresAt = new Date("2030-01-01T00:00:00Z");
  const confirm = new URL(links.confirmUrl({ email, nonce: "n1", expiresAt }));
  assert.equal(confirm.origin + confirm.pathname, "https://alerts.example.com/confirm");
  assert.deepEqual(links.readConfirmation(confirm.searchParams.get("t")!), {
    email,
    nonce: "n1",
    expiresAt,
  });
  const unsubscribe = new URL(links.unsubscribeUrl(email));
  assert.equal(unsubscribe.pathname, "/unsubscribe");
  assert.equal(links.readUnsubscribe(unsubscribe.searchParams.get("t")!), email);
});

Deno.test("ConsentLinks does not take one kind of link for the other", () => {
  const links = new ConsentLinks({ baseUrl: "https://a.example", signer: new LinkSigner(KEY) });
  const unsubscribe = new URL(links.unsubscribeUrl(email)).searchParams.get("t")!;
  const confirm = new URL(links.confirmUrl({ email, nonce: "n", expiresAt: new Date() }))
    .searchParams.get("t")!;
  assert.equal(links.readConfirmation(unsubscribe), undefined);
  assert.equal(links.readUnsubscribe(confirm), undefined);
});
