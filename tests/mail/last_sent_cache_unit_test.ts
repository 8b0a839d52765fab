import assert from "node:assert/strict";
import { LastSentCache, type LastSentKey } from "../../core/notify/last_sent_cache.ts";

const ALERT: LastSentKey = {
  email: "ann@example.com",
  ticker: "AAPL",
  thresholdType: "HIGH",
  thresholdValue: 150,
  price: 151.2,
};

Deno.test("LastSentCache.shouldSend() is true for an alert never mailed", () => {
  assert.equal(new LastSentCache().shouldSend(ALERT), true);
});

Deno.test("LastSentCache.shouldSend() is false when email, ticker, condition and price match the last mail", () => {
  const cache = new LastSentCache();
  cache.remember(ALERT);
  assert.equal(cache.shouldSend({ ...ALERT }), false);
  assert.equal(cache.shouldSend({ ...ALERT, email: "ANN@example.com", ticker: "aapl" }), false);
});

Deno.test("LastSentCache.shouldSend() is true when the price, condition, ticker or email differ", () => {
  const cache = new LastSentCache();
  cache.remember(ALERT);
  assert.equal(cache.shouldSend({ ...ALERT, price: 151.21 }), true);
  assert.equal(cache.shouldSend({ ...ALERT, thresholdType: "LOW" }), true);
  assert.equal(cache.shouldSend({ ...ALERT, thresholdValue: 149 }), true);
  assert.equal(cache.shouldSend({ ...ALERT, ticker: "MSFT" }), true);
  assert.equal(cache.shouldSend({ ...ALERT, email: "bob@example.com" }), true);
});

Deno.test("LastSentCache remembers only the last price per condition", () => {
  const cache = new LastSentCache();
  cache.remember(ALERT);
  cache.remember({ ...ALERT, price: 160 });
  assert.equal(cache.shouldSend(ALERT), true);
  assert.equal(cache.shouldSend({ ...ALERT, price: 160 }), false);
});

Deno.test("LastSentCache forgets a price after ttlMs (fake time)", () => {
  const clock = { now: 1_000 };
  const cache = new LastSentCache({ ttlMs: 60_000, now: () => clock.now });
  cache.remember(ALERT);
  clock.now += 60_000;
  assert.equal(cache.shouldSend(ALERT), false, "still remembered at exactly ttlMs");
  clock.now += 1;
  assert.equal(cache.shouldSend(ALERT), true);
  assert.equal(cache.size, 0);
});

Deno.test("LastSentCache is bounded: the least recently used condition is evicted", () => {
  const cache = new LastSentCache({ max: 2 });
  const a = ALERT, b = { ...ALERT, ticker: "MSFT" }, c = { ...ALERT, ticker: "NVDA" };
  cache.remember(a);
  cache.remember(b);
  assert.equal(cache.shouldSend(a), false); // touches a: b is now least recently used
  cache.remember(c);
  assert.equal(cache.size, 2);
  assert.equal(cache.shouldSend(b), true);
  assert.equal(cache.shouldSend(a), false);
  assert.equal(cache.shouldSend(c), false);
});

Deno.test("LastSentCache rejects invalid options", () => {
  assert.throws(() => new LastSentCache({ max: 0 }), RangeError);
  assert.throws(() => new LastSentCache({ ttlMs: -1 }), /ttlMs/);
});
