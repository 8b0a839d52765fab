/**
 * The shared contract of the PriceSource port, run against every adapter: each adapter's test
 * calls {@linkcode testPriceSourceContract} with a factory for a source that knows AAPL and MSFT
 * and does not know ZZZZ.
 */

import assert from "node:assert/strict";
import type { PriceSource } from "../../core/collector/price_source.ts";

/** Registers the contract tests for one adapter. */
export function testPriceSourceContract(
  label: string,
  make: () => PriceSource | Promise<PriceSource>,
) {
  Deno.test(`${label} (PriceSource contract) returns one upper-case quote per known ticker`, async () => {
    const source = await make();
    const { quotes, unknown } = await source.fetch(["AAPL", "MSFT"]);
    assert.deepEqual(quotes.map((q) => q.ticker).sort(), ["AAPL", "MSFT"]);
    assert.deepEqual(unknown, []);
    for (const q of quotes) {
      assert.ok(Number.isFinite(q.price) && q.price > 0, `price of ${q.ticker} is ${q.price}`);
      assert.ok(q.at instanceof Date && !Number.isNaN(q.at.getTime()));
    }
  });

  Deno.test(`${label} (PriceSource contract) reports unknown symbols instead of failing`, async () => {
    const source = await make();
    const { quotes, unknown } = await source.fetch(["AAPL", "ZZZZ"]);
    assert.deepEqual(quotes.map((q) => q.ticker), ["AAPL"]);
    assert.deepEqual(unknown, ["ZZZZ"]);
  });

  Deno.test(`${label} (PriceSource contract) accepts lower-case tickers`, async () => {
    const source = await make();
    const { quotes } = await source.fetch(["msft"]);
    assert.deepEqual(quotes.map((q) => q.ticker), ["MSFT"]);
  });

  Deno.test(`${label} (PriceSource contract) answers an empty request with nothing`, async () => {
    const source = await make();
    assert.deepEqual(await source.fetch([]), { quotes: [], unknown: [] });
  });

  Deno.test(`${label} (PriceSource contract) has a name`, async () => {
    const source = await make();
    assert.match(source.name, /^[a-z]+$/);
  });
}
