import assert from "node:assert/strict";
import { CircuitBreaker, CircuitBreakerOpenError } from "../../core/runtime/circuit_breaker.ts";
import { GuardedPriceSource } from "../../core/collector/guarded_price_source.ts";
import type { PriceFetch, PriceSource } from "../../core/collector/price_source.ts";
import { SyntheticPriceSource } from "../../core/prices/synthetic_price_source.ts";
import { testPriceSourceContract } from "./price_source_contract.ts";

testPriceSourceContract(
  "GuardedPriceSource",
  () => new GuardedPriceSource({ source: new SyntheticPriceSource({ unknownTickers: ["ZZZZ"] }) }),
);

/** A source that fails while `down` is true and counts its calls. */
class FlakySource implements PriceSource {
  readonly name = "flaky";
  down = true;
  calls = 0;
  fetch(tickers: readonly string[]): Promise<PriceFetch> {
    this.calls++;
    if (this.down) return Promise.reject(new Error("HTTP 503"));
    return Promise.resolve({
      quotes: tickers.map((ticker) => ({ ticker, price: 1, at: new Date(0) })),
      unknown: [],
    });
  }
}

Deno.test("GuardedPriceSource opens its breaker on a failing source and closes it again", async () => {
  const clock = { now: 0 };
  const states: string[] = [];
  const source = new FlakySource();
  const guarded = new GuardedPriceSource({
    source,
    breaker: new CircuitBreaker({ now: () => clock.now, onStateChange: (c) => states.push(c.to) }),
  });
  assert.equal(guarded.name, "flaky");
  for (let i = 0; i < 5; i++) await assert.rejects(guarded.fetch(["AAPL"]), /HTTP 503/);
  await assert.rejects(guarded.fetch(["AAPL"]), CircuitBreakerOpenError);
  assert.equal(source.calls, 5);
  assert.equal(guarded.breaker.state, "open");

  source.down = false;
  clock.now += 60_000;
  const { quotes } = await guarded.fetch(["AAPL"]);
  assert.equal(quotes.length, 1);
  assert.deepEqual(states, ["open", "half-open", "closed"]);
});

Deno.test("GuardedPriceSource does not count unknown symbols as failures", async () => {
  const guarded = new GuardedPriceSource({
    source: new SyntheticPriceSource({ unknownTickers: ["ZZZZ"] }),
    breaker: new CircuitBreaker({ failureThreshold: 1 }),
  });
  for (let i = 0; i < 3; i++) await guarded.fetch(["ZZZZ"]);
  assert.equal(guarded.breaker.state, "closed");
});
