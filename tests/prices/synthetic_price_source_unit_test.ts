import assert from "node:assert/strict";
import {
  parsePriceScripts,
  SyntheticPriceSource,
} from "../../core/prices/synthetic_price_source.ts";
import { testPriceSourceContract } from "./price_source_contract.ts";

testPriceSourceContract(
  "SyntheticPriceSource",
  () => new SyntheticPriceSource({ unknownTickers: ["ZZZZ"] }),
);

async function prices(source: SyntheticPriceSource, ticker: string, cycles: number) {
  const out: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const { quotes } = await source.fetch([ticker]);
    out.push(quotes[0]!.price);
  }
  return out;
}

Deno.test("SyntheticPriceSource gives the same prices for the same seed and ticker", async () => {
  const a = await prices(new SyntheticPriceSource({ seed: 7 }), "AAPL", 50);
  const b = await prices(new SyntheticPriceSource({ seed: 7 }), "AAPL", 50);
  assert.deepEqual(a, b);
});

Deno.test("SyntheticPriceSource gives different walks for different seeds and tickers", async () => {
  const a = await prices(new SyntheticPriceSource({ seed: 7 }), "AAPL", 20);
  const b = await prices(new SyntheticPriceSource({ seed: 8 }), "AAPL", 20);
  const c = await prices(new SyntheticPriceSource({ seed: 7 }), "MSFT", 20);
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("SyntheticPriceSource.priceAt() matches the price fetched at that cycle", async () => {
  const source = new SyntheticPriceSource({ seed: "demo" });
  const walked = await prices(source, "BTC-USD", 30);
  const pure = new SyntheticPriceSource({ seed: "demo" });
  assert.deepEqual(walked, walked.map((_, i) => pure.priceAt("btc-usd", i)));
});

Deno.test("SyntheticPriceSource keeps a ticker's walk independent of the other tickers asked", async () => {
  const alone = await prices(new SyntheticPriceSource(), "AAPL", 10);
  const mixed = new SyntheticPriceSource();
  const together: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { quotes } = await mixed.fetch(i % 2 ? ["MSFT", "AAPL"] : ["AAPL", "NVDA", "X"]);
    together.push(quotes.find((q) => q.ticker === "AAPL")!.price);
  }
  assert.deepEqual(together, alone);
});

Deno.test("SyntheticPriceSource prices stay positive with 2 decimals over a long, wild walk", async () => {
  const source = new SyntheticPriceSource({ seed: 1, volatility: 0.5 });
  for (const p of await prices(source, "PENNY", 2000)) {
    assert.ok(p >= 0.01, `price ${p} must stay > 0`);
    assert.equal(Math.round(p * 100) / 100, p);
  }
});

Deno.test("SyntheticPriceSource follows a script and holds its last value", async () => {
  const source = new SyntheticPriceSource({ scripts: { aapl: [100, 120, 125, 90] } });
  assert.deepEqual(await prices(source, "AAPL", 6), [100, 120, 125, 90, 90, 90]);
});

Deno.test("SyntheticPriceSource starts a ticker's script at its first fetch", async () => {
  const source = new SyntheticPriceSource({ scripts: { AAPL: [1, 2, 3], MSFT: [10, 20] } });
  await source.fetch(["AAPL"]);
  await source.fetch(["AAPL"]);
  const { quotes } = await source.fetch(["AAPL", "MSFT"]);
  assert.deepEqual(quotes.map((q) => [q.ticker, q.price]), [["AAPL", 3], ["MSFT", 10]]);
});

Deno.test("SyntheticPriceSource with startCycle resumes a script mid-way", async () => {
  const source = new SyntheticPriceSource({ scripts: { AAPL: [1, 2, 3] }, startCycle: 1 });
  assert.deepEqual(await prices(source, "AAPL", 3), [2, 3, 3]);
});

Deno.test("SyntheticPriceSource stamps quotes with the injected clock", async () => {
  const at = new Date("2026-01-05T15:30:00Z");
  const source = new SyntheticPriceSource({ now: () => at });
  const { quotes } = await source.fetch(["AAPL"]);
  assert.equal(quotes[0]!.at, at);
});

Deno.test("SyntheticPriceSource rejects an empty script or a non-positive price", () => {
  assert.throws(() => new SyntheticPriceSource({ scripts: { AAPL: [] } }), RangeError);
  assert.throws(
    () => new SyntheticPriceSource({ scripts: { AAPL: [1, 0] } }),
    (e) => e instanceof RangeError && /AAPL has price 0/.test(e.message),
  );
  assert.throws(() => new SyntheticPriceSource({ volatility: 0 }), /volatility/);
});

Deno.test("parsePriceScripts() reads TICKER=p1,p2;… with spaces and symbols holding =", () => {
  assert.deepEqual(parsePriceScripts(" aapl = 100, 120,125 ; MSFT=50,40;EURUSD=X=1.1,1.25; "), {
    AAPL: [100, 120, 125],
    MSFT: [50, 40],
    "EURUSD=X": [1.1, 1.25],
  });
  assert.deepEqual(parsePriceScripts(""), {});
});

Deno.test("parsePriceScripts() names the bad entry", () => {
  assert.throws(
    () => parsePriceScripts("AAPL=100;MSFT=50,x"),
    (e) =>
      e instanceof SyntaxError && e.message.includes('"MSFT=50,x"') && e.message.includes('"x"'),
  );
  assert.throws(() => parsePriceScripts("AAPL"), /expected TICKER=p1,p2/);
  assert.throws(() => parsePriceScripts("AAPL=1;aapl=2"), /scripted twice/);
  assert.throws(() => parsePriceScripts("AAPL=1,,2"), /"" is not a price/);
  assert.throws(() => parsePriceScripts("AAPL=-5"), /"-5" is not a price/);
});

Deno.test("parsePriceScripts() output feeds SyntheticPriceSource", async () => {
  const source = new SyntheticPriceSource({ scripts: parsePriceScripts("AAPL=100,120") });
  assert.deepEqual(await prices(source, "AAPL", 3), [100, 120, 120]);
});

Deno.test("SyntheticPriceSource quotes in USD by default, or the configured currency, without a market time", async () => {
  const usd = (await new SyntheticPriceSource().fetch(["AAPL"])).quotes[0]!;
  assert.equal(usd.currency, "USD");
  assert.equal(usd.marketTime, undefined);
  const gbp = await new SyntheticPriceSource({ currency: "GBp" }).fetch(["OCDO.L"]);
  assert.equal(gbp.quotes[0]!.currency, "GBp");
});
