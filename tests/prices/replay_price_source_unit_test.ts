import assert from "node:assert/strict";
import {
  parseReplayCsv,
  ReplayCsvError,
  ReplayPriceSource,
} from "../../core/prices/replay_price_source.ts";
import { testPriceSourceContract } from "./price_source_contract.ts";

const CSV = `ticker,price,timestamp
# a comment
AAPL,100.5,2026-01-05T15:30:00Z
MSFT,400
aapl,101.25,1767627060

AAPL,99
`;

testPriceSourceContract("ReplayPriceSource", () => new ReplayPriceSource(parseReplayCsv(CSV)));

Deno.test("ReplayPriceSource consumes the next row per ticker in file order", async () => {
  const source = new ReplayPriceSource(parseReplayCsv(CSV));
  const seen: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { quotes } = await source.fetch(["AAPL", "MSFT"]);
    seen.push(quotes.map((q) => q.price));
  }
  assert.deepEqual(seen, [[100.5, 400], [101.25, 400], [99, 400], [99, 400]]);
});

Deno.test("ReplayPriceSource uses the row's timestamp, or the clock without one", async () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const source = new ReplayPriceSource(parseReplayCsv(CSV), { now: () => now });
  const first = await source.fetch(["AAPL", "MSFT"]);
  assert.deepEqual(first.quotes.map((q) => q.at.toISOString()), [
    "2026-01-05T15:30:00.000Z",
    now.toISOString(),
  ]);
  const second = await source.fetch(["AAPL"]);
  assert.equal(second.quotes[0]!.at.toISOString(), "2026-01-05T15:31:00.000Z");
});

Deno.test("ReplayPriceSource with whenExhausted unknown reports used-up tickers as unknown", async () => {
  const source = new ReplayPriceSource(parseReplayCsv("MSFT,1\nMSFT,2"), {
    whenExhausted: "unknown",
  });
  await source.fetch(["MSFT"]);
  await source.fetch(["MSFT"]);
  assert.deepEqual(await source.fetch(["MSFT"]), { quotes: [], unknown: ["MSFT"] });
});

Deno.test("ReplayPriceSource.fromFile() reads a CSV file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, "BRK-B,455.1\nEURUSD=X,1.0842\n");
    const source = await ReplayPriceSource.fromFile(path);
    const { quotes } = await source.fetch(["BRK-B", "EURUSD=X"]);
    assert.deepEqual(quotes.map((q) => q.price), [455.1, 1.0842]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("ReplayPriceSource.fromFile() names the file and line of a bad row", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, "AAPL,1\nAAPL,abc\n");
    await assert.rejects(
      ReplayPriceSource.fromFile(path),
      (e) =>
        e instanceof ReplayCsvError && e.line === 2 &&
        e.message === `${path}:2: price "abc" is not a number > 0`,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("parseReplayCsv() reports bad rows with their line numbers", () => {
  const cases: [string, number, RegExp][] = [
    ["AAPL,1\nAAPL\n", 2, /expected ticker,price\[,timestamp\], got 1 fields/],
    ["AAPL,1,2026-01-01,x\n", 1, /got 4 fields/],
    ["\n\nAAPL,-3\n", 3, /price "-3" is not a number > 0/],
    ["AAPL,\n", 1, /price "" is not a number > 0/],
    ["AA PL,3\n", 1, /ticker "AA PL" is not a valid symbol/],
    ["AAPL,3,yesterday\n", 1, /timestamp "yesterday" is neither ISO 8601 nor Unix seconds/],
    ["AAPL,3,2026-13-45\n", 1, /timestamp "2026-13-45"/],
    ["ticker,price\n# nothing\n", 3, /no price rows/],
  ];
  for (const [text, line, message] of cases) {
    assert.throws(
      () => parseReplayCsv(text, "prices.csv"),
      (e) => {
        assert.ok(e instanceof ReplayCsvError, `${text}: ${e}`);
        assert.equal(e.name, "ReplayCsvError");
        assert.equal(e.line, line, text);
        assert.equal(e.file, "prices.csv");
        assert.match(e.message, message);
        assert.ok(e.message.startsWith(`prices.csv:${line}: `));
        return true;
      },
    );
  }
});

Deno.test("parseReplayCsv() accepts CRLF line ends and a header only on the first row", () => {
  const rows = parseReplayCsv("Ticker,Price\r\nAAPL,1\r\n");
  assert.deepEqual(rows, [{ ticker: "AAPL", price: 1, line: 2 }]);
  assert.throws(
    () => parseReplayCsv("AAPL,1\nticker,price\n"),
    /:2: price "price" is not a number > 0/,
  );
});

Deno.test("ReplayPriceSource quotes in USD by default, or the configured currency", async () => {
  const rows = parseReplayCsv("AAPL,100\nOCDO.L,308.8");
  const usd = await new ReplayPriceSource(rows).fetch(["AAPL"]);
  assert.equal(usd.quotes[0]!.currency, "USD");
  const gbp = await new ReplayPriceSource(rows, { currency: "GBp" }).fetch(["OCDO.L"]);
  assert.equal(gbp.quotes[0]!.currency, "GBp");
});
