import assert from "node:assert/strict";
import { type AlertRules, MysqlThresholdEvaluator, type Quote } from "../../core/mod.ts";
import { queryRows } from "../helpers/mysql.ts";
import { databaseWithUsers, type UserRow } from "../helpers/users.ts";

/** High 200, low 100, a 90–210 band and no threshold on AAPL; high 10 on MSFT. */
const USERS: UserRow[] = [
  ["hi@example.com", "AAPL", 200, null],
  ["lo@example.com", "AAPL", null, 100],
  ["band@example.com", "AAPL", 210, 90],
  ["none@example.com", "AAPL", null, null],
  ["msft@example.com", "MSFT", 10, null],
];

/** Runs one cycle and returns "email:TYPE" of each crossing, sorted; `_id` names the step. */
async function cycle(
  ev: MysqlThresholdEvaluator,
  _id: string,
  prices: Record<string, number>,
): Promise<string[]> {
  const quotes: Quote[] = Object.entries(prices).map(([ticker, price]) => ({
    ticker,
    price,
    at: new Date(),
  }));
  const evaluation = await ev.evaluate(quotes);
  await evaluation.commit();
  return evaluation.crossings.map((c) => `${c.email}:${c.thresholdType}`).sort();
}

Deno.test(
  "MysqlThresholdEvaluator (edge) fires once per crossing and re-arms past the hysteresis",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 0.005 });
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
  },
);

Deno.test(
  "MysqlThresholdEvaluator.evaluate() gives the same crossings until commit() stores the state",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 0 });
    const quotes = [{ ticker: "AAPL", price: 250, at: new Date("2024-12-20T15:00:00Z") }];
    const first = await ev.evaluate(quotes);
    // No commit (a crash before the alerts were acknowledged): the same cycle, the same crossings.
    const again = await ev.evaluate(quotes);
    assert.deepEqual(again.crossings, first.crossings);
    assert.equal(first.crossings.length, 2);
    assert.equal(first.transitions, 2);
    assert.deepEqual(first.crossings.find((c) => c.email === "hi@example.com"), {
      email: "hi@example.com",
      ticker: "AAPL",
      thresholdType: "HIGH",
      thresholdValue: 200,
      price: 250,
      at: new Date("2024-12-20T15:00:00Z"),
    });
    await again.commit();
    assert.equal((await ev.evaluate(quotes)).crossings.length, 0);
  },
);

Deno.test(
  "MysqlThresholdEvaluator.evaluate() takes price and time from the last quote of a ticker",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "level", hysteresis: 0 });
    const evaluation = await ev.evaluate([
      { ticker: "AAPL", price: 300, at: new Date("2024-12-20T15:00:00Z") },
      { ticker: "MSFT", price: 12.5, at: new Date("2024-12-20T15:00:01Z") },
      { ticker: "AAPL", price: 205.25, at: new Date("2024-12-20T15:00:02Z") },
    ]);
    const seen = evaluation.crossings.map((c) => [c.email, c.price, c.at.toISOString()]).sort();
    assert.deepEqual(seen, [
      ["hi@example.com", 205.25, "2024-12-20T15:00:02.000Z"],
      ["msft@example.com", 12.5, "2024-12-20T15:00:01.000Z"],
    ]);
  },
);

Deno.test(
  "MysqlThresholdEvaluator reads a 16-digit threshold exactly, so commit() marks it fired",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    // mysql2's own text parsing would read 98857.01938228088 and the commit's `<=>` would miss.
    const value = 98857.01938228087;
    await queryRows(tmp.url, "UPDATE users SET high_value = ? WHERE email = 'msft@example.com'", [
      value,
    ]);
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 0 });
    const quotes = [{ ticker: "MSFT", price: 98858, at: new Date() }];
    const first = await ev.evaluate(quotes);
    assert.deepEqual(first.crossings.map((c) => c.thresholdValue), [value]);
    await first.commit();
    assert.deepEqual((await ev.evaluate(quotes)).crossings, [], "fired once, not every cycle");
  },
);

Deno.test(
  "MysqlThresholdEvaluator re-arms at the boundary where SQL takes 1 − 0.07 as the decimal 0.93",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    await queryRows(
      tmp.url,
      "UPDATE users SET high_value = ?, high_fired = TRUE WHERE email = 'msft@example.com'",
      [100 / 0.93],
    );
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 0.07 });
    const evaluation = await ev.evaluate([{ ticker: "MSFT", price: 100, at: new Date() }]);
    assert.equal(evaluation.transitions, 1);
    await evaluation.commit();
    const [row] = await queryRows(
      tmp.url,
      "SELECT high_fired FROM users WHERE email = 'msft@example.com'",
    );
    assert.equal(row?.high_fired, 0);
  },
);

Deno.test(
  "MysqlThresholdEvaluator does not mark a threshold changed meanwhile as fired",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const ev = new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 0 });
    const evaluation = await ev.evaluate([{ ticker: "AAPL", price: 205, at: new Date() }]);
    assert.equal(evaluation.crossings.length, 1);
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
  },
);

Deno.test(
  "MysqlThresholdEvaluator (level) alerts on every cycle while breached",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const rules: AlertRules = { mode: "level", hysteresis: 0.005 };
    const ev = new MysqlThresholdEvaluator(tmp.db, rules);
    for (const id of ["c1", "c2", "c3"]) {
      assert.deepEqual(await cycle(ev, id, { AAPL: 205 }), [
        "hi@example.com:HIGH",
      ]);
    }
    assert.deepEqual(await cycle(ev, "c4", { AAPL: 150 }), []);
    assert.throws(
      () => new MysqlThresholdEvaluator(tmp.db, { mode: "edge", hysteresis: 1 }),
      RangeError,
    );
  },
);
