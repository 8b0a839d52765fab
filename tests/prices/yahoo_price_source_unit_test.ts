import assert from "node:assert/strict";
import { createLogger } from "../../core/log/logger.ts";
import { YahooPriceSource, YahooRateLimitError } from "../../core/prices/yahoo_price_source.ts";
import { testPriceSourceContract } from "./price_source_contract.ts";
import { loadRecording, YahooFake } from "./yahoo_fake.ts";

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
  const at = (s: number) => ({ at: new Date(s * 1000), marketTime: new Date(s * 1000) });
  assert.deepEqual(quotes, [
    { ticker: "AAPL", price: 243.17, currency: "USD", ...at(1767627062) },
    { ticker: "BRK-B", price: 497.63, currency: "USD", ...at(1767627058) },
    { ticker: "EURUSD=X", price: 1.1712, currency: "USD", ...at(1767627000) },
    { ticker: "BTC-USD", price: 93412.58, currency: "USD", ...at(1767627060) },
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
    assert.match(
      e.message,
      /^Cannot fetch prices from Yahoo Finance: HTTP 502 Bad Gateway: <html>/,
    );
    assert.equal((e.cause as { name?: string }).name, "YahooHttpError");
    assert.equal((e.cause as { status?: number }).status, 502);
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

Deno.test("YahooPriceSource keeps a London listing's currency: OCDO.L in GBp (pence)", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooPriceSource({ fetch: fake.fetch });
  const { quotes } = await yahoo.fetch(["OCDO.L", "SHIB-USD"]);
  assert.deepEqual(quotes.map((q) => [q.ticker, q.price, q.currency]), [
    ["OCDO.L", 308.8, "GBp"],
    ["SHIB-USD", 0.00001234, "USD"],
  ]);
  assert.deepEqual(quotes[0]!.marketTime, new Date(1767626100 * 1000));
});

Deno.test("YahooPriceSource uses the clock, and no market time, for a quote without regularMarketTime", async () => {
  const fake = await YahooFake.create();
  const now = new Date("2026-01-05T16:00:00Z");
  fake.quoteAnswer = () =>
    Response.json({
      quoteResponse: { result: [{ symbol: "AAPL", regularMarketPrice: 243.17 }], error: null },
    });
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, now: () => now });
  const { quotes } = await yahoo.fetch(["AAPL"]);
  assert.deepEqual(quotes, [{ ticker: "AAPL", price: 243.17, at: now }]);
});

Deno.test("YahooPriceSource keeps the good chunks' quotes when one chunk fails", async () => {
  const fake = await YahooFake.create();
  fake.quoteAnswer = (symbols) => symbols.includes("BRK-B") ? "quote_500" : undefined;
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, chunkSize: 2 });
  const result = await yahoo.fetch(["AAPL", "MSFT", "BRK-B", "EURUSD=X", "OCDO.L", "ZZZZ"]);
  assert.deepEqual(result.quotes.map((q) => q.ticker), ["AAPL", "MSFT", "OCDO.L"]);
  assert.deepEqual(result.unknown, ["ZZZZ"]);
  assert.deepEqual(result.failed, ["BRK-B", "EURUSD=X"]);
  assert.equal(
    result.failure?.message,
    "Cannot fetch prices from Yahoo Finance: quote service is temporarily unavailable (1 of 3 requests)",
  );
});

Deno.test("YahooPriceSource treats a truncated chunk as failed and quotes no more than an excerpt of it", async () => {
  const fake = await YahooFake.create();
  const quote = await loadRecording("quote");
  const whole = JSON.stringify(quote.response.bodyJson);
  fake.quoteAnswer = (symbols) =>
    symbols.includes("MSFT")
      ? new Response(whole.slice(0, 4000), {
        status: 200,
        headers: { "content-type": "application/json;charset=utf-8" },
      })
      : undefined;
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, chunkSize: 1 });
  const result = await yahoo.fetch(["AAPL", "MSFT"]);
  assert.deepEqual(result.quotes.map((q) => q.ticker), ["AAPL"]);
  assert.deepEqual(result.failed, ["MSFT"]);
  assert.match(result.failure!.message, /answer is not JSON \(HTTP 200, 4000 characters\)/);
  assert.ok(result.failure!.message.length < 300, result.failure!.message);
});

Deno.test("YahooPriceSource rejects once, with a short message, when every chunk's answer is unparseable", async () => {
  const fake = await YahooFake.create();
  const page = `<!doctype html><html><body>${"x".repeat(50_000)}</body></html>`;
  fake.quoteAnswer = () =>
    new Response(page, { status: 200, headers: { "content-type": "text/html" } });
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, chunkSize: 1 });
  await assert.rejects(yahoo.fetch(["AAPL", "MSFT", "BRK-B"]), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^Cannot fetch prices from Yahoo Finance: answer is not JSON/);
    assert.ok(e.message.length < 300, `${e.message.length} characters`);
    return true;
  });
});

Deno.test("YahooPriceSource backs off for Retry-After after an HTTP 429 and keeps its session", async () => {
  const fake = await YahooFake.create();
  let now = new Date("2026-01-05T15:36:20Z");
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, now: () => now });
  await yahoo.fetch(["AAPL"]);
  fake.quoteFailure = "quote_429"; // Retry-After: 120
  await assert.rejects(yahoo.fetch(["AAPL"]), (e) => {
    assert.ok(e instanceof YahooRateLimitError);
    assert.deepEqual(e.retryAt, new Date("2026-01-05T15:38:20Z"));
    assert.match(e.message, /rate limited \(HTTP 429\); next request after 2026-01-05T15:38:20/);
    return true;
  });
  fake.quoteFailure = undefined;
  const before = fake.requests.length;
  now = new Date("2026-01-05T15:38:00Z");
  await assert.rejects(yahoo.fetch(["AAPL"]), YahooRateLimitError);
  assert.equal(fake.requests.length, before, "no request while backing off");
  now = new Date("2026-01-05T15:38:21Z");
  const { quotes } = await yahoo.fetch(["AAPL"]);
  assert.equal(quotes[0]?.price, 243.17);
  const paths = fake.requests.map((r) => r.url.pathname);
  assert.deepEqual(paths, [
    "/quote/AAPL",
    "/v1/test/getcrumb",
    "/v7/finance/quote",
    "/v7/finance/quote",
    "/v7/finance/quote", // one request after the pause: the same cookie and crumb
  ]);
  assert.match(fake.quoteRequests.at(-1)!.cookie ?? "", /A3=d=/);
});

Deno.test("YahooPriceSource doubles its own backoff for 429s without Retry-After", async () => {
  const fake = await YahooFake.create();
  let now = Date.parse("2026-01-05T15:00:00Z");
  fake.quoteAnswer = () => new Response("Too Many Requests\r\n", { status: 429 });
  const yahoo = new YahooPriceSource({
    fetch: fake.fetch,
    now: () => new Date(now),
    backoffMs: 1_000,
  });
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const error = await yahoo.fetch(["AAPL"]).catch((e) => e);
    assert.ok(error instanceof YahooRateLimitError);
    waits.push(error.retryAt.getTime() - now);
    now = error.retryAt.getTime();
  }
  assert.deepEqual(waits, [1_000, 2_000, 4_000]);
});

Deno.test("YahooPriceSource stops the cycle's other chunks after a 429 and keeps the ones before", async () => {
  const fake = await YahooFake.create();
  const now = new Date("2026-01-05T15:36:20Z");
  fake.quoteAnswer = (symbols) => symbols.includes("BRK-B") ? "quote_429" : undefined;
  const yahoo = new YahooPriceSource({ fetch: fake.fetch, chunkSize: 1, now: () => now });
  const result = await yahoo.fetch(["AAPL", "BRK-B", "MSFT"]);
  assert.deepEqual(result.quotes.map((q) => q.ticker), ["AAPL"]);
  assert.deepEqual(result.failed, ["BRK-B", "MSFT"]);
  assert.ok(result.failure instanceof YahooRateLimitError);
  assert.deepEqual(
    fake.quoteRequests.map((r) => r.url.searchParams.get("symbols")),
    ["AAPL", "BRK-B"],
  );
});

Deno.test("YahooPriceSource logs a failed request through the logger, never the console", async () => {
  const fake = await YahooFake.create();
  fake.quoteFailure = "quote_502";
  const lines: string[] = [];
  const logger = createLogger("test", { level: "debug", sink: (l) => lines.push(l) });
  const printed: unknown[] = [];
  const original = { error: console.error, log: console.log, warn: console.warn };
  console.error = console.log = console.warn = (...args: unknown[]) => printed.push(args);
  try {
    await assert.rejects(new YahooPriceSource({ fetch: fake.fetch, logger }).fetch(["AAPL"]));
  } finally {
    Object.assign(console, original);
  }
  assert.deepEqual(printed, []);
  assert.ok(lines.some((l) => l.includes("Yahoo Finance request failed") && l.includes("502")));
});
