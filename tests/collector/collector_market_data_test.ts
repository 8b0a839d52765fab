import assert from "node:assert/strict";
import {
  AlertMessageSchema,
  AlertSystem,
  Collector,
  createLogger,
  MysqlQuoteStore,
  MysqlThresholdEvaluator,
  type PriceFetch,
  type PriceSource,
  type PriceUpdate,
  PriceUpdateSchema,
  type Quote,
  silentLogger,
} from "../../core/mod.ts";
import { queryRows } from "../helpers/mysql.ts";
import { databaseWithUsers } from "../helpers/users.ts";

/** A source answering each fetch with the next scripted answer (the last one repeats). */
function scripted(...answers: PriceFetch[]): PriceSource {
  let i = 0;
  return {
    name: "scripted",
    fetch: () => Promise.resolve(answers[Math.min(i++, answers.length - 1)]!),
  };
}

const CLOSE = new Date("2026-01-05T16:30:00Z");
const ocdo = (price: number, marketTime: Date): Quote => ({
  ticker: "OCDO.L",
  price,
  at: marketTime,
  currency: "GBp",
  marketTime,
});

function recordingPublisher() {
  const sent: string[] = [];
  return {
    sent,
    send: (_topic: string, record: { key: string; value: string }) => {
      sent.push(record.value);
      return Promise.resolve();
    },
  };
}

Deno.test("Collector stores a quote's currency and market time and carries them in the update", async () => {
  await using tmp = await databaseWithUsers([["ada@example.com", "OCDO.L", 300, null]]);
  const publisher = recordingPublisher();
  const collector = new Collector({
    store: new MysqlQuoteStore(tmp.db),
    source: scripted({ quotes: [ocdo(308.8, CLOSE)], unknown: [] }),
    publisher,
    logger: silentLogger,
  });
  await collector.runCycle();
  const rows = await queryRows<{ currency: string; market_time: Date }>(
    tmp.url,
    "SELECT currency, market_time FROM quotes",
  );
  assert.deepEqual(rows.map((r) => [r.currency, new Date(r.market_time).getTime()]), [
    ["GBp", CLOSE.getTime()],
  ]);
  const update = PriceUpdateSchema.parse(JSON.parse(publisher.sent[0]!));
  assert.deepEqual(update.quotes, [{
    ticker: "OCDO.L",
    price: 308.8,
    at: CLOSE.toISOString(),
    currency: "GBp",
    market_time: CLOSE.toISOString(),
  }]);
});

Deno.test("Collector neither stores nor publishes a quote whose market time has not moved", async () => {
  await using tmp = await databaseWithUsers([["ada@example.com", "OCDO.L", 300, null]]);
  const publisher = recordingPublisher();
  const lines: Record<string, unknown>[] = [];
  const later = new Date(CLOSE.getTime() + 60_000);
  const collector = new Collector({
    store: new MysqlQuoteStore(tmp.db),
    // The market closed: the same quote twice, then one a minute later.
    source: scripted(
      { quotes: [ocdo(308.8, CLOSE)], unknown: [] },
      { quotes: [ocdo(308.8, CLOSE)], unknown: [] },
      { quotes: [ocdo(309.1, later)], unknown: [] },
    ),
    publisher,
    logger: createLogger("test", { sink: (l) => lines.push(JSON.parse(l)) }),
  });
  const first = await collector.runCycle();
  const second = await collector.runCycle();
  assert.equal(first.quotes, 1);
  assert.equal(second.quotes, 0);
  assert.deepEqual(second.stale, ["OCDO.L"]);
  assert.equal(publisher.sent.length, 1, "no update for a stale quote");
  assert.ok(lines.some((l) => l.msg === "quotes skipped: market time has not moved"));
  // A restarted collector knows the stored market time too.
  const restarted = new Collector({
    store: new MysqlQuoteStore(tmp.db),
    source: scripted({ quotes: [ocdo(308.8, CLOSE)], unknown: [] }),
    publisher,
    logger: silentLogger,
  });
  assert.deepEqual((await restarted.runCycle()).stale, ["OCDO.L"]);
  const third = await collector.runCycle();
  assert.equal(third.quotes, 1);
  const prices = await queryRows<{ price: number }>(
    tmp.url,
    "SELECT price FROM quotes ORDER BY id",
  );
  assert.deepEqual(prices.map((r) => r.price), [308.8, 309.1]);
});

Deno.test("A stale quote fires a level-mode alert once, and the alert mail carries the currency", async () => {
  await using tmp = await databaseWithUsers([["ada@example.com", "OCDO.L", 300, null]]);
  const alerts: string[] = [];
  const alertSystem = new AlertSystem({
    evaluator: new MysqlThresholdEvaluator(tmp.db, { mode: "level", hysteresis: 0 }),
    publisher: {
      send: (_topic, record) => {
        alerts.push(record.value);
        return Promise.resolve();
      },
    },
    logger: silentLogger,
  });
  const collector = new Collector({
    store: new MysqlQuoteStore(tmp.db),
    source: scripted({ quotes: [ocdo(308.8, CLOSE)], unknown: [] }),
    publisher: {
      send: async (_topic, record) => {
        await alertSystem.handleUpdate(PriceUpdateSchema.parse(JSON.parse(record.value)));
      },
    },
    logger: silentLogger,
  });
  for (let i = 0; i < 3; i++) await collector.runCycle();
  assert.equal(alerts.length, 1);
  const alert = AlertMessageSchema.parse(JSON.parse(alerts[0]!));
  assert.equal(alert.value_ticker, 308.8);
  assert.equal(alert.currency, "GBp");
});

Deno.test("Collector stores a fetch's good quotes when part of it failed, and says so once", async () => {
  await using tmp = await databaseWithUsers([
    ["ada@example.com", "AAPL", 200, null],
    ["bob@example.com", "MSFT", 500, null],
  ]);
  const publisher = recordingPublisher();
  const lines: Record<string, unknown>[] = [];
  const collector = new Collector({
    store: new MysqlQuoteStore(tmp.db),
    source: scripted({
      quotes: [{ ticker: "AAPL", price: 243.17, at: CLOSE, currency: "USD" }],
      unknown: [],
      failed: ["MSFT"],
      failure: new Error("Cannot fetch prices from Yahoo Finance: HTTP 502 Bad Gateway"),
    }),
    publisher,
    logger: createLogger("test", { sink: (l) => lines.push(JSON.parse(l)) }),
  });
  const report = await collector.runCycle();
  assert.equal(report.quotes, 1);
  assert.deepEqual(report.notFetched, ["MSFT"]);
  assert.deepEqual(report.unknown, []);
  const update: PriceUpdate = PriceUpdateSchema.parse(JSON.parse(publisher.sent[0]!));
  assert.deepEqual(update.quotes.map((q) => q.ticker), ["AAPL"]);
  const warnings = lines.filter((l) => String(l.msg).startsWith("part of the fetch failed"));
  assert.equal(warnings.length, 1);
  assert.match(JSON.stringify(warnings[0]), /502 Bad Gateway/);
});
