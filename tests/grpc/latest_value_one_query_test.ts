// GetLatestValue reads the user's ticker and its newest quote in one SELECT (one round trip),
// counted by MariaDB itself: Com_select of the only connection of a one-connection pool.
import assert from "node:assert/strict";
import {
  MysqlDatabase,
  MysqlPriceHistory,
  MysqlUnknownTickers,
  NotFoundError,
  QueryService,
} from "../../core/mod.ts";
import type { Email } from "../../core/domain/email.ts";
import type { Ticker } from "../../core/domain/ticker.ts";
import { queryRows } from "../helpers/mysql.ts";
import { databaseWithUsers } from "../helpers/users.ts";

Deno.test("GetLatestValue is one SELECT, with the same answers as ticker + latest", async (t) => {
  await using data = await databaseWithUsers([
    ["ada@example.com", "AAPL", 300, null],
    ["bob@example.com", "MSFT", null, 10],
    ["cy@example.com", "GBP=X", 2, 1],
  ]);
  const base = Date.UTC(2024, 11, 20, 15, 0, 0);
  const at = (minute: number) => new Date(base + minute * 60_000);
  // AAPL: out of time order, and two quotes at the newest time: the later insert wins.
  for (const [minute, price, currency] of [[4, 104, null], [0, 100, "USD"], [4, 105, null]]) {
    await queryRows(
      data.url,
      "INSERT INTO quotes (ticker, price, at, currency) VALUES ('AAPL', ?, ?, ?)",
      [price, at(minute as number), currency],
    );
  }
  await queryRows(
    data.url,
    "INSERT INTO quotes (ticker, price, at, currency) VALUES ('GBP=X', 1.25, ?, 'USD')",
    [at(1)],
  );
  const db = await MysqlDatabase.connect({ url: data.url, connectionLimit: 1 });
  try {
    const history = new MysqlPriceHistory(db);
    const service = new QueryService({ history, unknownTickers: new MysqlUnknownTickers(db) });
    // The pool has one connection, so this reads the counters of the connection the service used.
    const selects = () =>
      db.withConnection(async (sql) => {
        const [rows] = await sql.query("SHOW SESSION STATUS LIKE 'Com_select'");
        return Number((rows as { Value: string }[])[0]!.Value);
      });
    const counted = async <T>(fn: () => Promise<T>): Promise<{ selects: number; value: T }> => {
      const before = await selects();
      const value = await fn();
      return { selects: (await selects()) - before, value };
    };

    await t.step(
      "a user with quotes: one SELECT, the newest quote by time then insertion",
      async () => {
        const r = await counted(() => service.latest({ email: " Ada@Example.com " }));
        assert.equal(r.selects, 1);
        assert.deepEqual(r.value, {
          email: "ada@example.com",
          ticker: "AAPL",
          value: 105,
          at: at(4),
        });
        const fx = await counted(() => service.latest({ email: "cy@example.com" }));
        assert.equal(fx.selects, 1);
        assert.deepEqual(fx.value, {
          email: "cy@example.com",
          ticker: "GBP=X",
          value: 1.25,
          at: at(1),
          currency: "USD",
        });
      },
    );

    await t.step("an unknown user: one SELECT, NOT_FOUND not registered", async () => {
      const before = await selects();
      await assert.rejects(
        () => service.latest({ email: "nobody@example.com" }),
        (err) =>
          err instanceof NotFoundError && /nobody@example.com is not registered/.test(err.message),
      );
      assert.equal((await selects()) - before, 1);
    });

    await t.step("a ticker without quotes is still 'not yet' or 'unknown'", async () => {
      await assert.rejects(
        () => service.latest({ email: "bob@example.com" }),
        /no quotes collected for MSFT yet/,
      );
      await new MysqlUnknownTickers(db).record(["MSFT"], []);
      await assert.rejects(
        () => service.latest({ email: "bob@example.com" }),
        /unknown ticker MSFT/,
      );
    });

    await t.step("concurrent calls share SELECTs, each gets its own answer", async () => {
      const emails = ["ada@example.com", "cy@example.com", "nobody@example.com"];
      const r = await counted(() =>
        Promise.allSettled(
          Array.from({ length: 60 }, (_, i) => service.latest({ email: emails[i % 3] })),
        )
      );
      // Made in one job, the 60 calls are read together.
      assert.equal(r.selects, 1, `${r.selects} SELECTs for 60 calls`);
      r.value.forEach((settled, i) => {
        if (i % 3 === 2) {
          assert.equal(settled.status, "rejected");
          assert.match(String((settled as PromiseRejectedResult).reason), /not registered/);
        } else {
          assert.equal(settled.status, "fulfilled");
          const v = (settled as PromiseFulfilledResult<{ email: string; value: number }>).value;
          assert.equal(v.email, emails[i % 3]);
          assert.equal(v.value, i % 3 === 0 ? 105 : 1.25);
        }
      });
    });

    await t.step("a failed read fails every call it answers, and the next read works", async () => {
      const broken = await MysqlDatabase.connect({ url: data.url, connectionLimit: 1 });
      const reads = new MysqlPriceHistory(broken, { maxConcurrentReads: 1 });
      const calls = ["ada@example.com", "cy@example.com", "ada@example.com"].map((e) =>
        reads.latestOf(e as Email)
      );
      await broken.close(); // the reads in flight and waiting find the pool closed
      const settled = await Promise.allSettled(calls);
      assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected", "rejected"]);
      const again = new MysqlPriceHistory(db, { maxConcurrentReads: 1 });
      assert.equal((await again.latestOf("ada@example.com" as Email))?.quote?.price, 105);
    });

    await t.step("latestOf agrees with tickerOf + latest", async () => {
      for (
        const email of ["ada@example.com", "bob@example.com", "cy@example.com", "no@example.com"]
      ) {
        const one = await history.latestOf(email as Email);
        const ticker = await history.tickerOf(email as Email);
        const two = ticker === undefined
          ? undefined
          : { ticker, quote: await history.latest(ticker as Ticker) };
        assert.deepEqual(one, two, email);
      }
    });
  } finally {
    await db.close();
  }
});
