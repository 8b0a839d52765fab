import assert from "node:assert/strict";
import { Outcome, RequestCache } from "../../core/mod.ts";

const entry = (message: string) => ({ fingerprint: `f-${message}`, outcome: Outcome.ok(message) });

Deno.test("RequestCache.get() returns an entry until its TTL passes on the injected clock", () => {
  let now = 1_000;
  const cache = new RequestCache({ ttlMs: 600_000, now: () => now });
  cache.set("r1", entry("one"));
  now += 599_999;
  assert.deepEqual(cache.get("r1"), entry("one"));
  now += 2;
  assert.equal(cache.get("r1"), undefined);
});

Deno.test("RequestCache ages each entry from its own set()", () => {
  let now = 1;
  const cache = new RequestCache({ ttlMs: 1_000, now: () => now });
  cache.set("early", entry("early"));
  now = 601;
  cache.set("late", entry("late"));
  now = 1_101;
  assert.equal(cache.get("early"), undefined);
  assert.deepEqual(cache.get("late"), entry("late"));
});

Deno.test("RequestCache evicts the least recently used entry beyond maxEntries", () => {
  const cache = new RequestCache({ maxEntries: 2, now: () => 1 });
  cache.set("a", entry("a"));
  cache.set("b", entry("b"));
  cache.get("a"); // a is now the most recently used
  cache.set("c", entry("c"));
  assert.equal(cache.size, 2);
  assert.equal(cache.get("b"), undefined);
  assert.deepEqual(cache.get("a"), entry("a"));
  assert.deepEqual(cache.get("c"), entry("c"));
});
