/**
 * The SQL evaluator against the pure rule: random users, thresholds, flags, prices, modes and
 * margins, with prices drawn at and around the boundaries, on real MariaDB.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import mysql from "mysql2/promise";
import {
  type AlertRules,
  applyThresholdRule,
  type Crossing,
  MysqlDatabase,
  MysqlThresholdEvaluator,
  type Quote,
  type ThresholdType,
} from "../../core/mod.ts";
import { migrate } from "../../core/mysql/migrations.ts";
import { freshDatabase } from "../helpers/mysql.ts";

const TICKERS = ["AAA", "BBB", "CCC"] as const;
const RUNS = 300;

interface UserCase {
  ticker: string;
  high: number | null;
  low: number | null;
  highFired: boolean;
  lowFired: boolean;
}

/** How a quote's price is drawn: near a threshold of its ticker (`anchor`) or anywhere. */
interface PriceCase {
  ticker: string;
  form: "at" | "high-margin" | "low-margin" | "free";
  anchor: number;
  ulps: number;
  free: number;
}

// Thresholds: round values, cents, any double, and 16-17 digit values mysql2 misreads as text.
const thresholdArb = fc.oneof(
  fc.integer({ min: 1, max: 300 }),
  fc.integer({ min: 1, max: 30_000 }).map((cents) => cents / 100),
  fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  fc.constantFrom(98857.01938228087, 9.478459501938385, 0.1 + 0.2, 196.79100000000003),
);

const userArb: fc.Arbitrary<UserCase> = fc.record({
  ticker: fc.constantFrom(...TICKERS),
  high: fc.option(thresholdArb, { nil: null }),
  low: fc.option(thresholdArb, { nil: null }),
  highFired: fc.boolean(),
  lowFired: fc.boolean(),
});

// Mostly at a threshold or at its re-arm boundary (give or take one ulp), where SQL and the rule
// could disagree; sometimes anywhere.
const priceArb: fc.Arbitrary<PriceCase> = fc.record({
  ticker: fc.constantFrom(...TICKERS),
  form: fc.oneof(
    { arbitrary: fc.constant("at" as const), weight: 2 },
    { arbitrary: fc.constant("high-margin" as const), weight: 3 },
    { arbitrary: fc.constant("low-margin" as const), weight: 3 },
    { arbitrary: fc.constant("free" as const), weight: 1 },
  ),
  anchor: fc.nat(),
  ulps: fc.integer({ min: -1, max: 1 }),
  free: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
});

// Margins: 0, mostly the config's percent / 100 (0.5 → 0.005, 0.7 → 0.006999999999999999), any
// double below 0.5 (tiny ones print as 1e-7).
const hysteresisArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 50_000 }).map((n) => n / 1000 / 100), weight: 4 },
  { arbitrary: fc.double({ min: 0, max: 0.5, maxExcluded: true, noNaN: true }), weight: 2 },
);

const rulesArb: fc.Arbitrary<AlertRules> = fc.record({
  mode: fc.constantFrom("edge" as const, "level" as const),
  hysteresis: hysteresisArb,
});

/** `x` moved by `n` units in the last place (x > 0). */
function stepUlps(x: number, n: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(n));
  return view.getFloat64(0);
}

/** The price a case stands for, given the users (the anchors) and the margin. */
function priceOf(c: PriceCase, users: readonly UserCase[], h: number): number {
  const mine = users.filter((u) => u.ticker === c.ticker);
  const anchors =
    (c.form === "high-margin"
      ? mine.map((u) => u.high)
      : c.form === "low-margin"
      ? mine.map((u) => u.low)
      : mine.flatMap((u) => [u.high, u.low])).filter((v): v is number => v !== null);
  const anchor = anchors[c.anchor % Math.max(anchors.length, 1)];
  if (c.form === "free" || anchor === undefined) return c.free;
  const base = c.form === "at"
    ? anchor
    : c.form === "high-margin"
    ? anchor * (1 - h)
    : anchor * (1 + h);
  const price = stepUlps(base, c.ulps);
  return Number.isFinite(price) && price > 0 ? price : anchor;
}

interface Expected {
  crossings: Crossing[];
  transitions: number;
  users: UserCase[];
}

/** What the pure rule says one cycle does (the last quote of a ticker counts). */
function expectedCycle(users: readonly UserCase[], quotes: readonly Quote[], rules: AlertRules) {
  const latest = new Map(quotes.map((q) => [q.ticker, q]));
  const out: Expected = { crossings: [], transitions: 0, users: [] };
  users.forEach((u, i) => {
    const next = { ...u };
    const quote = latest.get(u.ticker);
    for (const type of ["HIGH", "LOW"] as ThresholdType[]) {
      const value = type === "HIGH" ? u.high : u.low;
      if (quote === undefined || value === null) continue;
      const fired = type === "HIGH" ? u.highFired : u.lowFired;
      const decision = applyThresholdRule({ type, value, fired }, quote.price, rules);
      if (decision.action !== "none") out.transitions++;
      if (decision.action === "fire") {
        out.crossings.push({
          email: emailOf(i),
          ticker: u.ticker,
          thresholdType: type,
          thresholdValue: value,
          price: quote.price,
          at: quote.at,
        });
      }
      if (type === "HIGH") next.highFired = decision.fired;
      else next.lowFired = decision.fired;
    }
    out.users.push(next);
  });
  return out;
}

function emailOf(i: number): string {
  return `u${i}@example.com`;
}

function sorted(crossings: readonly Crossing[]): Crossing[] {
  const key = (c: Crossing) => `${c.email} ${c.thresholdType}`;
  return [...crossings].sort((a, b) => key(a).localeCompare(key(b)));
}

Deno.test(
  "MysqlThresholdEvaluator finds the crossings and stores the flags that applyThresholdRule() gives",
  async () => {
    await using tmp = freshDatabase();
    const db = await MysqlDatabase.connect({ url: tmp.url });
    const conn = await mysql.createConnection({ uri: tmp.url });
    try {
      await migrate(db);
      const started = new Date("2026-01-05T15:30:00Z").getTime();
      await fc.assert(
        fc.asyncProperty(
          fc.array(userArb, { minLength: 1, maxLength: 8 }),
          fc.array(fc.array(priceArb, { minLength: 1, maxLength: 4 }), {
            minLength: 1,
            maxLength: 3,
          }),
          rulesArb,
          async (users, cycles, rules) => {
            await conn.query("DELETE FROM users");
            const now = new Date();
            await conn.query(
              `INSERT INTO users (email, ticker, high_value, low_value, high_fired, low_fired,
                 created_at, updated_at) VALUES ?`,
              [users.map((u, i) => [
                emailOf(i),
                u.ticker,
                u.high,
                u.low,
                u.highFired,
                u.lowFired,
                now,
                now,
              ])],
            );
            const ev = new MysqlThresholdEvaluator(db, rules);
            let state: UserCase[] = users;
            for (const [n, cycle] of cycles.entries()) {
              const quotes = cycle.map((c, i) => ({
                ticker: c.ticker,
                price: priceOf(c, state, rules.hysteresis),
                at: new Date(started + n * 60_000 + i),
              }));
              const expected = expectedCycle(state, quotes, rules);
              const evaluation = await ev.evaluate(quotes);
              assert.deepEqual(sorted(evaluation.crossings), sorted(expected.crossings));
              assert.equal(evaluation.transitions, expected.transitions);
              await evaluation.commit();
              const [rows] = await conn.query<mysql.RowDataPacket[]>(
                "SELECT email, high_fired, low_fired FROM users ORDER BY id",
              );
              assert.deepEqual(
                rows.map((r) => [r.email, r.high_fired === 1, r.low_fired === 1]),
                expected.users.map((u, i) => [emailOf(i), u.highFired, u.lowFired]),
              );
              state = expected.users;
            }
          },
        ),
        { numRuns: RUNS },
      );
    } finally {
      await conn.end();
      await db.close();
    }
  },
);
