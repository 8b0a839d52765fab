import assert from "node:assert/strict";
import { createLogger } from "../../core/log/logger.ts";
import { YahooPriceSource } from "../../core/prices/yahoo_price_source.ts";
import { testPriceSourceContract } from "./price_source_contract.ts";
import { YahooFake } from "./yahoo_fake.ts";

testPriceSourceContract("YahooPriceSource", async () => {
  const fake = await YahooFake.create();
  return new YahooPriceSource({ fetch: fake.fetch });
});

Deno.test("YahooPriceSource fetches several symbols in one quote request", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  const { quotes, unknown } = await yahoo.fetch(["AAPL", "brk-b", "EURUSD=X", "BTC-USD"]);

  assert.equal(fake.quoteRequests.length, 1);
  const request = fake.quoteRequests[0]!;
  assert.equal(request.url.host, "query2.finance.yahoo.com");
  assert.equal(request.url.searchParams.get("symbols"), "AAPL,BRK-B,EURUSD=X,BTC-USD");
  assert.equal(request.url.searchParams.get("crumb"), "Zq4bN1x.Tk7");
  assert.match(request.cookie ?? "", /A3=d=/);

  assert.deepEqual(unknown, []);
  assert.deepEqual(quotes, [
    { ticker: "AAPL", price: 243.17, at: new Date(1767627062 * 1000) },
    { ticker: "BRK-B", price: 497.63, at: new Date(1767627058 * 1000) },
    { ticker: "EURUSD=X", price: 1.1712, at: new Date(1767627000 * 1000) },
    { ticker: "BTC-USD", price: 93412.58, at: new Date(1767627060 * 1000) },
  ]);
});

Deno.test("YahooPriceSource performs the cookie and crumb exchange once per instance", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  await yahoo.fetch(["AAPL"]);
  await yahoo.fetch(["MSFT"]);
  const paths = fake.requests.map((r) => `${r.url.host}${r.url.pathname}`);
  assert.deepEqual(paths, [
    "finance.yahoo.com/quote/AAPL",
    "query1.finance.yahoo.com/v1/test/getcrumb",
    "query2.finance.yahoo.com/v7/finance/quote",
    "query2.finance.yahoo.com/v7/finance/quote",
  ]);
});

Deno.test("YahooPriceSource reports symbols missing from the answer and delisted ones as unknown", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  const { quotes, unknown } = await yahoo.fetch(["ZZZZ", "MSFT", "TWTR"]);
  assert.equal(fake.quoteRequests.length, 1);
  assert.deepEqual(quotes.map((q) => q.ticker), ["MSFT"]);
  assert.deepEqual(unknown, ["ZZZZ", "TWTR"]);
});

Deno.test("YahooPriceSource splits long ticker lists into requests of chunkSize symbols", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, chunkSize: 2 });
  const { quotes, unknown } = await yahoo.fetch(["AAPL", "MSFT", "BRK-B", "EURUSD=X", "ZZZZ"]);
  assert.deepEqual(
    fake.quoteRequests.map((r) => r.url.searchParams.get("symbols")).sort(),
    ["AAPL,MSFT", "BRK-B,EURUSD=X", "ZZZZ"],
  );
  assert.deepEqual(quotes.map((q) => q.ticker), ["AAPL", "MSFT", "BRK-B", "EURUSD=X"]);
  assert.deepEqual(unknown, ["ZZZZ"]);
});

Deno.test("YahooPriceSource sends 250 tickers in 3 requests with the default chunk of 100", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  const tickers = Array.from({ length: 250 }, (_, i) => `T${i}`);
  const { unknown } = await yahoo.fetch(tickers);
  assert.deepEqual(
    fake.quoteRequests.map((r) => r.url.searchParams.get("symbols")!.split(",").length).sort(),
    [
      100,
      100,
      50,
    ],
  );
  assert.equal(unknown.length, 250);
});

Deno.test("YahooPriceSource throws when the quote endpoint answers HTTP 500", async () => {
  const fake = await YahooFake.create();
  fake.quoteFailure = "quote_500";
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  await assert.rejects(yahoo.fetch(["AAPL"]), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(
      e.message,
      "Cannot fetch prices from Yahoo Finance: quote service is temporarily unavailable",
    );
    assert.ok(e.cause instanceof Error);
    return true;
  });
});

Deno.test("YahooPriceSource redoes the cookie and crumb exchange after Yahoo refuses the crumb", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  await yahoo.fetch(["AAPL"]);
  fake.quoteFailure = "quote_401";
  await assert.rejects(
    yahoo.fetch(["AAPL"]),
    /^Error: Cannot fetch prices from Yahoo Finance: Invalid Crumb$/,
  );
  fake.quoteFailure = undefined;
  const { quotes } = await yahoo.fetch(["AAPL"]);
  assert.equal(quotes[0]?.price, 243.17);
  const paths = fake.requests.map((r) => r.url.pathname);
  assert.deepEqual(paths, [
    "/quote/AAPL",
    "/v1/test/getcrumb",
    "/v7/finance/quote",
    "/v7/finance/quote",
    "/quote/AAPL",
    "/v1/test/getcrumb",
    "/v7/finance/quote",
  ]);
});

Deno.test("YahooPriceSource throws when the edge answers HTTP 502 with HTML", async () => {
  const fake = await YahooFake.create();
  fake.quoteFailure = "quote_502";
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  await assert.rejects(yahoo.fetch(["AAPL"]), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^Cannot fetch prices from Yahoo Finance: .*502 Bad Gateway/s);
    assert.equal((e.cause as { name?: string }).name, "HTTPError");
    assert.equal((e.cause as { code?: number }).code, 502);
    return true;
  });
});

Deno.test("YahooPriceSource throws on a network error", async () => {
  const fake = await YahooFake.create();
  fake.quoteFailure = new TypeError("error sending request: connection refused");
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  await assert.rejects(
    yahoo.fetch(["AAPL"]),
    /Cannot fetch prices from Yahoo Finance: error sending request: connection refused/,
  );
});

Deno.test("YahooPriceSource throws when Yahoo refuses the crumb", async () => {
  const fake = await YahooFake.create();
  const refusing: typeof fetch = (input, init) =>
    String(input).includes("/v1/test/getcrumb")
      ? Promise.resolve(new Response("Too Many Requests", { status: 429 }))
      : fake.fetch(input, init);
  const yahoo = new YahooPriceSource({ fetch: refusing });
  await assert.rejects(yahoo.fetch(["AAPL"]), /Cannot fetch prices from Yahoo Finance: .*429/);
  assert.equal(fake.quoteRequests.length, 0);
});

Deno.test("YahooPriceSource aborts a request that exceeds timeoutMs", async () => {
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
    });
  const yahoo = new YahooPriceSource({ fetch: hanging, timeoutMs: 50 });
  await assert.rejects(yahoo.fetch(["AAPL"]), /Cannot fetch prices from Yahoo Finance: .*time/i);
});

Deno.test("YahooPriceSource forwards yahoo-finance2's messages to the logger", async () => {
  const fake = await YahooFake.create();
  const lines: string[] = [];
  const logger = createLogger("test", { level: "debug", sink: (l) => lines.push(l) });
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, logger });
  await yahoo.fetch(["AAPL"]);
  assert.ok(
    lines.some((l) => l.includes("yahoo-finance2: ") && l.includes("crumb")),
    lines.join("\n"),
  );
});
