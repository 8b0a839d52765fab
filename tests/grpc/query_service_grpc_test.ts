import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import {
  MysqlUnknownTickers,
  openDatabase,
  silentLogger,
  UnknownTickerMarking,
} from "../../core/mod.ts";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";

Deno.test("UserQueryService over gRPC and MySQL", async (t) => {
  await using db = freshDatabase();
  const cmd = await commandServer(db.url);
  const qry = await queryServer(db.url);
  const { command, query, close } = userServiceClients(cmd.port, qry.port);
  try {
    await command("RegisterUser", {
      email: "ada@example.com",
      ticker: "AAPL",
      request_id: rid(),
      high_value: 300,
    });
    await command("RegisterUser", { email: "bob@example.com", ticker: "MSFT", request_id: rid() });
    // Five AAPL quotes, inserted out of time order: "latest" is by time, not by insertion.
    const base = Date.UTC(2024, 11, 20, 15, 0, 0);
    const prices = [[4, 104], [0, 100], [2, 102], [1, 101], [3, 103]];
    for (const [minute, price] of prices) {
      await queryRows(db.url, "INSERT INTO quotes (ticker, price, at) VALUES ('AAPL', ?, ?)", [
        price,
        new Date(base + minute! * 60_000),
      ]);
    }
    await queryRows(db.url, "INSERT INTO quotes (ticker, price, at) VALUES ('ZZZ', 1, ?)", [
      new Date(base + 9e6),
    ]);

    await t.step("GetLatestValue returns the newest quote with an ISO-8601 timestamp", async () => {
      const r = await query("GetLatestValue", { email: "ADA@example.com" });
      assert.equal(r.code, grpc.status.OK, r.details);
      assert.deepEqual(r.response, {
        email: "ada@example.com",
        ticker: "AAPL",
        value: 104,
        timestamp: "2024-12-20T15:04:00.000Z",
        currency: "",
      });
    });

    await t.step("GetAverageValue averages the newest N quotes and says how many", async () => {
      const r = await query("GetAverageValue", { email: "ada@example.com", count: 3 });
      assert.equal(r.code, grpc.status.OK, r.details);
      assert.deepEqual(r.response, {
        email: "ada@example.com",
        ticker: "AAPL",
        average_value: 103,
        values_count: 3,
        currency: "",
      });
      for (const count of [10_000, 20_000, 2_147_483_647]) {
        const all = await query("GetAverageValue", { email: "ada@example.com", count });
        assert.equal(all.code, grpc.status.OK, `count ${count}: ${all.details}`);
        assert.equal(all.response?.average_value, 102);
        assert.equal(all.response?.values_count, 5, "as many as exist");
      }
    });

    await t.step("GetLatestValue and GetAverageValue carry the quotes' currency", async () => {
      await queryRows(db.url, "UPDATE quotes SET currency = 'GBp' WHERE ticker = 'AAPL'");
      const latest = await query("GetLatestValue", { email: "ada@example.com" });
      assert.equal(latest.response?.currency, "GBp");
      const average = await query("GetAverageValue", { email: "ada@example.com", count: 3 });
      assert.equal(average.response?.currency, "GBp");
    });

    await t.step("unknown user and missing data are NOT_FOUND", async () => {
      const nobody = await query("GetLatestValue", { email: "nobody@example.com" });
      assert.equal(nobody.code, grpc.status.NOT_FOUND);
      assert.match(nobody.details, /not registered/);
      const noData = await query("GetLatestValue", { email: "bob@example.com" });
      assert.equal(noData.code, grpc.status.NOT_FOUND);
      assert.match(noData.details, /no quotes collected for MSFT/);
      const noAvg = await query("GetAverageValue", { email: "bob@example.com", count: 5 });
      assert.equal(noAvg.code, grpc.status.NOT_FOUND);
    });

    await t.step(
      'a ticker the collector marked unknown is NOT_FOUND "unknown ticker"',
      async () => {
        await command("RegisterUser", {
          email: "eve@example.com",
          ticker: "ZZZZ",
          request_id: rid(),
        });
        const db2 = await openDatabase({ url: db.url, logger: silentLogger });
        const marks = new UnknownTickerMarking({
          source: { name: "fake", fetch: () => Promise.resolve({ quotes: [], unknown: ["ZZZZ"] }) },
          unknownTickers: new MysqlUnknownTickers(db2),
          logger: silentLogger,
        });
        try {
          await marks.fetch(["ZZZZ"]);
          const latest = await query("GetLatestValue", { email: "eve@example.com" });
          assert.equal(latest.code, grpc.status.NOT_FOUND);
          assert.match(latest.details, /unknown ticker ZZZZ/);
          const avg = await query("GetAverageValue", { email: "eve@example.com", count: 3 });
          assert.match(avg.details, /unknown ticker ZZZZ/);
          // Priced once: the mark goes, and "not yet" comes back until a quote is stored.
          await new MysqlUnknownTickers(db2).record([], ["ZZZZ"]);
          const again = await query("GetLatestValue", { email: "eve@example.com" });
          assert.match(again.details, /no quotes collected for ZZZZ yet/);
        } finally {
          await db2.close();
        }
      },
    );

    await t.step("bad email or count is INVALID_ARGUMENT", async () => {
      for (const count of [0, -1, -2_147_483_648]) {
        const r = await query("GetAverageValue", { email: "ada@example.com", count });
        assert.equal(r.code, grpc.status.INVALID_ARGUMENT, `count ${count}`);
        assert.match(r.details, /count must be a positive integer, got -?\d+/);
      }
      const missing = await query("GetAverageValue", { email: "ada@example.com" });
      assert.equal(missing.code, grpc.status.INVALID_ARGUMENT);
      const badEmail = await query("GetLatestValue", { email: "nope" });
      assert.equal(badEmail.code, grpc.status.INVALID_ARGUMENT);
      assert.match(badEmail.details, /email "nope" is not valid/);
    });

    await t.step(
      "the query server does not serve commands, nor the command server queries",
      async () => {
        const crossed = userServiceClients(qry.port, cmd.port);
        try {
          const r = await crossed.command("LoginUser", {
            email: "ada@example.com",
            request_id: rid(),
          });
          assert.equal(r.code, grpc.status.UNIMPLEMENTED);
          const q = await crossed.query("GetLatestValue", { email: "ada@example.com" });
          assert.equal(q.code, grpc.status.UNIMPLEMENTED);
        } finally {
          crossed.close();
        }
      },
    );
  } finally {
    close();
    await cmd.stop();
    await qry.stop();
  }
});
