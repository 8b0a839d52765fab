/**
 * Alert evaluation benchmark: time per cycle of the set-based evaluation (one query per cycle,
 * MysqlThresholdEvaluator) for 10k, 100k and 1M subscriptions over 5,000 tickers, against the
 * original's per-user loop (one latest-price query per user) on the same data in the same run
 * (the loop only up to 10k users). Usage: deno run -A scripts/bench_alerts.ts [sizes...]
 * Prints a markdown table; `--out FILE` also writes it.
 */
import mysql from "mysql2/promise";
import { MysqlDatabase, MysqlThresholdEvaluator, type Quote } from "../core/mod.ts";
import { migrate } from "../core/mysql/migrations.ts";
import { freshDatabase } from "../tests/helpers/mysql.ts";

const TICKERS = 5_000;
const CYCLES = 3;
const LOOP_MAX = 10_000;

/** A deterministic generator (mulberry32) so every run sees the same data. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ticker = (i: number) => `T${String(i % TICKERS).padStart(4, "0")}`;

async function seedUsers(conn: mysql.Connection, n: number): Promise<void> {
  const rand = rng(n);
  const now = new Date();
  for (let start = 0; start < n; start += 5_000) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + 5_000); i++) {
      // Bands around 100: high in (101, 130), low in (70, 99); a few users follow only one side.
      const high = rand() < 0.9 ? 101 + rand() * 29 : null;
      const low = rand() < 0.9 ? 70 + rand() * 29 : null;
      rows.push([`user${i}@bench.example`, ticker(i), high, low, now, now]);
    }
    await conn.query(
      "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
      [rows],
    );
  }
}

/**
 * Prices of cycle `cycle`: every ticker starts at 100 and then moves by a random step of up to
 * ±2 % per cycle (a random walk; 2 % is a large move for 3 minutes).
 */
function cycleQuotes(cycle: number): Quote[] {
  const rand = rng(7);
  const prices = new Array<number>(TICKERS).fill(100);
  for (let c = 1; c <= cycle; c++) {
    for (let i = 0; i < TICKERS; i++) prices[i] = prices[i]! * (1 + (rand() - 0.5) * 0.04);
  }
  const at = new Date();
  return prices.map((price, i) => ({ ticker: ticker(i), price, at }));
}

/** The original's approach: every user, one query for its ticker's latest price. */
async function perUserLoop(conn: mysql.Connection, limit: number): Promise<number> {
  const [users] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT email, ticker, high_value, low_value FROM users ORDER BY email LIMIT ?",
    [limit],
  );
  let alerts = 0;
  for (const u of users) {
    const [rows] = await conn.execute<mysql.RowDataPacket[]>(
      "SELECT price FROM quotes WHERE ticker = ? ORDER BY at DESC, id DESC LIMIT 1",
      [u.ticker],
    );
    const price = rows[0]?.price;
    if (price === undefined) continue;
    if (u.high_value !== null && price > u.high_value) alerts++;
    if (u.low_value !== null && price < u.low_value) alerts++;
  }
  return alerts;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface EvalRow {
  subscriptions: number;
  setBasedMs: number;
  alertsPerCycle: number;
  loopMs: number | undefined;
  loopUsers: number | undefined;
}

/** Measures one size; returns median ms per cycle. */
export async function benchSize(n: number): Promise<EvalRow> {
  await using tmp = freshDatabase("tw_bench");
  const db = await MysqlDatabase.connect({ url: tmp.url });
  const conn = await mysql.createConnection({ uri: tmp.url });
  try {
    await migrate(db);
    const seeded = performance.now();
    await seedUsers(conn, n);
    console.error(`  seeded ${n} users in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    // Fresh statistics, as a table that has lived for a while has them.
    await conn.query("ANALYZE TABLE users");
    const ev = new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0.005 });
    const times: number[] = [];
    const alerts: number[] = [];
    // Cycle 0 (all prices at 100, inside every band) is the warm-up; cycles 1..3 are measured.
    await (await ev.evaluate(cycleQuotes(0))).commit();
    for (let c = 1; c <= CYCLES; c++) {
      const quotes = cycleQuotes(c);
      const t0 = performance.now();
      const evaluation = await ev.evaluate(quotes);
      const t1 = performance.now();
      await evaluation.commit();
      times.push(performance.now() - t0);
      console.error(
        `  cycle ${c}: query ${(t1 - t0).toFixed(0)} ms, state update ${
          (performance.now() - t1).toFixed(0)
        } ms, ${evaluation.crossings.length} alerts, ${evaluation.transitions} transitions`,
      );
      alerts.push(evaluation.crossings.length);
      // The loop needs the quotes in the table; the set-based path reads them from the message.
      await conn.query("INSERT INTO quotes (ticker, price, at) VALUES ?", [
        quotes.map((q) => [q.ticker, q.price, q.at]),
      ]);
    }
    let loopMs: number | undefined;
    let loopUsers: number | undefined;
    if (n <= LOOP_MAX) {
      loopUsers = n;
      const t0 = performance.now();
      await perUserLoop(conn, n);
      loopMs = performance.now() - t0;
    }
    return {
      subscriptions: n,
      setBasedMs: median(times),
      alertsPerCycle: median(alerts),
      loopMs,
      loopUsers,
    };
  } finally {
    await conn.end();
    await db.close();
  }
}

export function evalTable(rows: EvalRow[]): string {
  const lines = [
    "| subscriptions | set-based ms/cycle (median of 3) | alerts/cycle | per-user loop ms/cycle | speed-up |",
    "|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.subscriptions.toLocaleString("en")} | ${
        r.setBasedMs.toFixed(0)
      } | ${r.alertsPerCycle} | ${
        r.loopMs === undefined ? "not run (> 10k users)" : r.loopMs.toFixed(0)
      } | ${r.loopMs === undefined ? "—" : `${(r.loopMs / r.setBasedMs).toFixed(1)}×`} |`,
    );
  }
  return lines.join("\n");
}

/**
 * The evaluation reads a few hundred MB at 1M subscriptions; MariaDB's default 128 MB buffer
 * pool turns that into disk reads. Raise it to 1 GiB for the run (as compose.yaml configures
 * MySQL) and say so; returns the previous size to restore.
 */
async function ensureBufferPool(): Promise<{ before: number; restore(): Promise<void> }> {
  const conn = await mysql.createConnection({ uri: "mysql://root@127.0.0.1:3306" });
  const [[row]] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT @@innodb_buffer_pool_size AS size",
  );
  const before = Number(row!.size);
  if (before < 1 << 30) await conn.query("SET GLOBAL innodb_buffer_pool_size = ?", [1 << 30]);
  await conn.end();
  return {
    before,
    async restore() {
      if (before >= 1 << 30) return;
      const c = await mysql.createConnection({ uri: "mysql://root@127.0.0.1:3306" });
      await c.query("SET GLOBAL innodb_buffer_pool_size = ?", [before]).finally(() => c.end());
    },
  };
}

if (import.meta.main) {
  const pool = await ensureBufferPool();
  console.error(`innodb_buffer_pool_size: ${pool.before >> 20} MiB → 1024 MiB for this run`);
  const sizes = Deno.args.filter((a) => /^\d+$/.test(a)).map(Number);
  const rows: EvalRow[] = [];
  for (const n of sizes.length ? sizes : [10_000, 100_000, 1_000_000]) {
    console.error(`evaluating ${n} subscriptions over ${TICKERS} tickers`);
    rows.push(await benchSize(n));
  }
  await pool.restore();
  console.log(evalTable(rows));
}
