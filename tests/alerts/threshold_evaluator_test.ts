import assert from "node:assert/strict";
import {
  type AlertRules,
  migrate,
  MysqlDatabase,
  MysqlThresholdEvaluator,
  type Quote,
} from "../../core/mod.ts";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function setup(url: string) {
  const db = await MysqlDatabase.connect({ url });
  await migrate(db);
  const now = new Date();
  await queryRows(
    url,
    `INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?`,
    [[
      ["hi@example.com", "AAPL", 200, null, now, now],
      ["lo@example.com", "AAPL", null, 100, now, now],
      ["band@example.com", "AAPL", 210, 90, now, now],
      ["none@example.com", "AAPL", null, null, now, now],
      ["msft@example.com", "MSFT", 10, null, now, now],
    ]],
  );
  return db;
}

/** Runs one cycle and returns "email:TYPE" of each alert, sorted. */
async function cycle(
  ev: MysqlThresholdEvaluator,
  id: string,
  prices: Record<string, number>,
): Promise<string[]> {
  const quotes: Quote[] = Object.entries(prices).map(([ticker, price]) => ({
    ticker,
    price,
    at: new Date(),
  }));
  const evaluation = await ev.evaluate(id, quotes);
  await evaluation.commit();
  return evaluation.alerts.map((a) => `${a.email}:${a.threshold_type}`).sort();
}

Deno.test(
  "MysqlThresholdEvaluator (edge) fires once per crossing and re-arms past the hysteresis",
  opts,
  async () => {
    await using tmp = freshDatabase();
    const db = await setup(tmp.url);
    try {
      const ev = new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0.005 });
      assert.deepEqual(await cycle(ev, "c1", { AAPL: 150 }), []);
      assert.deepEqual(await cycle(ev, "c2", { AAPL: 205 }), ["hi@example.com:HIGH"]);
      assert.deepEqual(await cycle(ev, "c3", { AAPL: 206 }), [], "still above: no second alert");
      assert.deepEqual(
        await cycle(ev, "c4", { AAPL: 199.5 }),
        [],
        "inside, but within 0.5 % of 200: not re-armed",
      );
      assert.deepEqual(await cycle(ev, "c5", { AAPL: 201 }), [], "so crossing again does not fire");
      assert.deepEqual(await cycle(ev, "c6", { AAPL: 198 }), [], "≤ 199 re-arms");
      assert.deepEqual(await cycle(ev, "c7", { AAPL: 215 }), [
        "band@example.com:HIGH",
        "hi@example.com:HIGH",
      ]);
      // A crash from above every high to below every low: HIGHs re-arm, LOWs fire, in one cycle.
      assert.deepEqual(await cycle(ev, "c8", { AAPL: 50 }), [
        "band@example.com:LOW",
        "lo@example.com:LOW",
      ]);
      assert.deepEqual(await cycle(ev, "c9", { AAPL: 60 }), []);
      assert.deepEqual(await cycle(ev, "c10", { AAPL: 150, MSFT: 11 }), ["msft@example.com:HIGH"]);
      assert.deepEqual(
        await cycle(ev, "c11", { AAPL: 99 }),
        ["lo@example.com:LOW"],
        "LOW re-armed at 150, fires again",
      );
    } finally {
      await db.close();
    }
  },
);

Deno.test(
  "MysqlThresholdEvaluator alert ids are deterministic per cycle; state is kept only on commit",
  opts,
  async () => {
    await using tmp = freshDatabase();
    const db = await setup(tmp.url);
    try {
      const ev = new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0 });
      const quotes = [{ ticker: "AAPL", price: 250, at: new Date("2024-12-20T15:00:00Z") }];
      const first = await ev.evaluate("cycle-A", quotes);
      // No commit (a crash before the alerts were acknowledged): the same cycle gives the same alerts.
      const again = await ev.evaluate("cycle-A", quotes);
      assert.deepEqual(again.alerts, first.alerts);
      assert.equal(first.alerts.length, 2);
      assert.deepEqual(first.alerts.find((a) => a.email === "hi@example.com"), {
        version: 1,
        alert_id: first.alerts.find((a) => a.email === "hi@example.com")!.alert_id,
        email: "hi@example.com",
        ticker: "AAPL",
        threshold_value: 200,
        threshold_type: "HIGH",
        value_ticker: 250,
        timestamp: "2024-12-20T15:00:00.000Z",
      });
      assert.match(first.alerts[0]!.alert_id, /^[0-9a-f]{32}$/);
      await again.commit();
      assert.equal((await ev.evaluate("cycle-B", quotes)).alerts.length, 0);
    } finally {
      await db.close();
    }
  },
);

Deno.test(
  "MysqlThresholdEvaluator does not mark a threshold changed meanwhile as fired",
  opts,
  async () => {
    await using tmp = freshDatabase();
    const db = await setup(tmp.url);
    try {
      const ev = new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0 });
      const evaluation = await ev.evaluate("c1", [{ ticker: "AAPL", price: 205, at: new Date() }]);
      assert.equal(evaluation.alerts.length, 1);
      await queryRows(
        tmp.url,
        "UPDATE users SET high_value = 300, high_fired = FALSE WHERE email = 'hi@example.com'",
      );
      await evaluation.commit();
      const [row] = await queryRows(
        tmp.url,
        "SELECT high_fired FROM users WHERE email = 'hi@example.com'",
      );
      assert.equal(row?.high_fired, 0);
      assert.deepEqual(await cycle(ev, "c2", { AAPL: 301 }), [
        "band@example.com:HIGH",
        "hi@example.com:HIGH",
      ]);
    } finally {
      await db.close();
    }
  },
);

Deno.test(
  "MysqlThresholdEvaluator (level) alerts on every cycle while breached",
  opts,
  async () => {
    await using tmp = freshDatabase();
    const db = await setup(tmp.url);
    try {
      const rules: AlertRules = { mode: "level", hysteresis: 0.005 };
      const ev = new MysqlThresholdEvaluator(db, rules);
      for (const id of ["c1", "c2", "c3"]) {
        assert.deepEqual(await cycle(ev, id, { AAPL: 205 }), [
          "hi@example.com:HIGH",
        ]);
      }
      assert.deepEqual(await cycle(ev, "c4", { AAPL: 150 }), []);
      assert.throws(
        () => new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 1 }),
        RangeError,
      );
    } finally {
      await db.close();
    }
  },
);
