import assert from "node:assert/strict";
import {
  CachedTickerDirectory,
  type CommandLedger,
  CommandService,
  Outcome,
  type Ticker,
  TickerCheckUnavailableError,
  type TickerDirectory,
  ValidationError,
  YahooTickerDirectory,
} from "../../core/mod.ts";
import { createLogger } from "../../core/log/logger.ts";
import { YahooFake } from "../prices/yahoo_fake.ts";

const okLedger: CommandLedger = {
  once: () => Promise.resolve({ outcome: Outcome.ok("done"), replayed: false }),
  purge: () => Promise.resolve(0),
};

/** A directory that knows `known`, fails on "DOWN", and counts its lookups. */
function fakeDirectory(known: string[]): TickerDirectory & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isKnown(ticker) {
      asked.push(ticker);
      if (ticker === "DOWN") return Promise.reject(new Error("connection refused"));
      return Promise.resolve(known.includes(ticker));
    },
  };
}

Deno.test("CommandService.register() refuses a ticker the price source does not know, naming it", async () => {
  const service = new CommandService({ ledger: okLedger, tickers: fakeDirectory(["AAPL"]) });
  await assert.rejects(
    () => service.register({ email: "a@b.co", ticker: "notreal123", requestId: "r1" }),
    (err: unknown) =>
      err instanceof ValidationError && err.field === "ticker" &&
      /ticker "NOTREAL123" is not known to the price source/.test(err.message),
  );
  const ok = await service.register({ email: "a@b.co", ticker: "aapl", requestId: "r2" });
  assert.equal(ok.reply.key, "registered");
});

Deno.test("CommandService.register() answers a retried request from its stored outcome without asking the source again", async () => {
  const known = ["AAPL"];
  const directory = fakeDirectory(known);
  const service = new CommandService({ ledger: okLedger, tickers: directory });
  const first = await service.register({ email: "a@b.co", ticker: "AAPL", requestId: "r1" });
  known.length = 0; // the source no longer knows AAPL
  const retry = await service.register({ email: "a@b.co", ticker: "AAPL", requestId: "r1" });
  assert.equal(retry.replayed, true);
  assert.deepEqual(retry.outcome, first.outcome);
  assert.deepEqual(directory.asked, ["AAPL"]);
});

Deno.test("CommandService.update() checks a new ticker, and only when one is given", async () => {
  const directory = fakeDirectory(["MSFT"]);
  const service = new CommandService({ ledger: okLedger, tickers: directory });
  await assert.rejects(
    () => service.update({ email: "a@b.co", ticker: "ZZZZ", requestId: "u1" }),
    /ticker "ZZZZ" is not known/,
  );
  await service.update({ email: "a@b.co", ticker: "MSFT", requestId: "u2" });
  await service.update({ email: "a@b.co", highValue: 10, requestId: "u3" });
  assert.deepEqual(directory.asked, ["ZZZZ", "MSFT"]);
});

Deno.test("CommandService.register() accepts and logs a ticker when the source does not answer", async () => {
  const lines: string[] = [];
  const logger = createLogger("test", { level: "warn", sink: (l: string) => lines.push(l) });
  const service = new CommandService({
    ledger: okLedger,
    tickers: fakeDirectory([]),
    logger,
  });
  const r = await service.register({ email: "a@b.co", ticker: "DOWN", requestId: "r1" });
  assert.equal(r.outcome.code, "OK");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /ticker accepted unchecked/);
  assert.match(lines[0]!, /"ticker":"DOWN"/);
});

Deno.test("CachedTickerDirectory asks once per ticker within the TTL and again after it", async () => {
  let now = 1;
  const inner = fakeDirectory(["AAPL"]);
  const cached = new CachedTickerDirectory({
    directory: inner,
    knownTtlMs: 1_000,
    unknownTtlMs: 100,
    now: () => now,
  });
  const aapl = "AAPL" as Ticker;
  const nope = "NOPE" as Ticker;
  assert.equal(await cached.isKnown(aapl), true);
  assert.deepEqual(await Promise.all([cached.isKnown(nope), cached.isKnown(nope)]), [false, false]);
  assert.equal(await cached.isKnown(aapl), true);
  assert.deepEqual(inner.asked, ["AAPL", "NOPE"], "concurrent checks share one lookup");
  now += 101;
  await cached.isKnown(nope);
  await cached.isKnown(aapl);
  assert.deepEqual(inner.asked, ["AAPL", "NOPE", "NOPE"], "unknown expires sooner");
});

Deno.test("CachedTickerDirectory fails with TickerCheckUnavailableError on error or timeout, uncached", async () => {
  const inner = fakeDirectory([]);
  const cached = new CachedTickerDirectory({ directory: inner });
  await assert.rejects(() => cached.isKnown("DOWN" as Ticker), TickerCheckUnavailableError);
  await assert.rejects(() => cached.isKnown("DOWN" as Ticker), TickerCheckUnavailableError);
  assert.equal(inner.asked.length, 2, "a failure is not cached");
  let release = () => {};
  const slow = new CachedTickerDirectory({
    directory: { isKnown: () => new Promise((r) => (release = () => r(true))) },
    timeoutMs: 20,
  });
  await assert.rejects(() => slow.isKnown("AAPL" as Ticker), /did not answer/);
  release();
});

Deno.test("YahooTickerDirectory asks Yahoo through yahoo-finance2's quote request", async () => {
  const fake = await YahooFake.create();
  const yahoo = new YahooTickerDirectory({ fetch: fake.fetch });
  assert.equal(await yahoo.isKnown("OCDO.L" as Ticker), true);
  assert.equal(await yahoo.isKnown("EURUSD=X" as Ticker), true);
  assert.equal(await yahoo.isKnown("ZZZZ" as Ticker), false, "left out of the answer");
  assert.equal(await yahoo.isKnown("TWTR" as Ticker), false, "quoteType NONE, no price");
  const last = fake.quoteRequests.at(-1)!;
  assert.equal(last.url.searchParams.get("symbols"), "TWTR");
  fake.quoteFailure = "quote_500";
  await assert.rejects(() => yahoo.isKnown("AAPL" as Ticker), /Cannot fetch prices from Yahoo/);
});
