import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { freshDatabase, queryRows, snapshotTables } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer } from "../helpers/servers.ts";

Deno.test("UserCommandService over gRPC and MySQL", async (t) => {
  await using db = freshDatabase();
  const server = await commandServer(db.url);
  const { command, close } = userServiceClients(server.port);
  try {
    await t.step("RegisterUser stores the normalised user and its thresholds", async () => {
      const r = await command("RegisterUser", {
        email: " Ada@Example.com ",
        ticker: "aapl",
        request_id: rid(),
        high_value: 200,
        low_value: 150,
      });
      assert.equal(r.code, grpc.status.OK, r.details);
      assert.match(String(r.response?.message), /ada@example.com successfully registered for AAPL/);
      const rows = await queryRows(
        db.url,
        "SELECT email, ticker, high_value, low_value FROM users",
      );
      assert.deepEqual(rows, [{
        email: "ada@example.com",
        ticker: "AAPL",
        high_value: 200,
        low_value: 150,
      }]);
    });

    await t.step("RegisterUser without thresholds stores NULLs, not zeros", async () => {
      const r = await command("RegisterUser", {
        email: "bob@example.com",
        ticker: "BRK-B",
        request_id: rid(),
      });
      assert.equal(r.code, grpc.status.OK, r.details);
      const [row] = await queryRows(
        db.url,
        "SELECT high_value, low_value FROM users WHERE email = ?",
        [
          "bob@example.com",
        ],
      );
      assert.deepEqual(row, { high_value: null, low_value: null });
    });

    await t.step(
      "RegisterUser and UpdateUser read an explicit 0 threshold as not set",
      async () => {
        const r = await command("RegisterUser", {
          email: "zero@example.com",
          ticker: "AAPL",
          request_id: rid(),
          high_value: 0,
          low_value: 150,
        });
        assert.equal(r.code, grpc.status.OK, r.details);
        const u = await command("UpdateUser", {
          email: "zero@example.com",
          request_id: rid(),
          high_value: 300,
          low_value: 0,
        });
        assert.equal(u.code, grpc.status.OK, u.details);
        const rows = await queryRows(
          db.url,
          "SELECT high_value, low_value FROM users WHERE email = 'zero@example.com'",
        );
        assert.deepEqual(rows, [{ high_value: 300, low_value: 150 }], "0 leaves low unchanged");
        await command("DeleteUser", { email: "zero@example.com", request_id: rid() });
      },
    );

    await t.step("RegisterUser of an existing e-mail is ALREADY_EXISTS", async () => {
      const r = await command("RegisterUser", {
        email: "ADA@example.com",
        ticker: "MSFT",
        request_id: rid(),
      });
      assert.equal(r.code, grpc.status.ALREADY_EXISTS);
      assert.match(r.details, /already registered/);
      const [row] = await queryRows(
        db.url,
        "SELECT ticker FROM users WHERE email = 'ada@example.com'",
      );
      assert.equal(row?.ticker, "AAPL");
    });

    await t.step("LoginUser succeeds for a user and is NOT_FOUND otherwise", async () => {
      const ok = await command("LoginUser", { email: "ada@example.com", request_id: rid() });
      assert.equal(ok.code, grpc.status.OK);
      assert.equal(ok.response?.success, true);
      const missing = await command("LoginUser", {
        email: "nobody@example.com",
        request_id: rid(),
      });
      assert.equal(missing.code, grpc.status.NOT_FOUND);
      assert.match(missing.details, /nobody@example.com is not registered/);
    });

    await t.step("UpdateUser changes the ticker and one threshold, keeping the other", async () => {
      const r = await command("UpdateUser", {
        email: "ada@example.com",
        ticker: "eurusd=x",
        request_id: rid(),
        low_value: 1.01,
      });
      assert.equal(r.code, grpc.status.OK, r.details);
      // high 200 stays; the band is still valid.
      const [row] = await queryRows(
        db.url,
        "SELECT ticker, high_value, low_value FROM users WHERE email = ?",
        [
          "ada@example.com",
        ],
      );
      assert.deepEqual(row, { ticker: "EURUSD=X", high_value: 200, low_value: 1.01 });
    });

    await t.step("UpdateUser clear_high_value removes the high threshold", async () => {
      const r = await command("UpdateUser", {
        email: "ada@example.com",
        request_id: rid(),
        clear_high_value: true,
      });
      assert.equal(r.code, grpc.status.OK, r.details);
      const [row] = await queryRows(
        db.url,
        "SELECT high_value, low_value FROM users WHERE email = ?",
        [
          "ada@example.com",
        ],
      );
      assert.deepEqual(row, { high_value: null, low_value: 1.01 });
    });

    await t.step("UpdateUser of an unknown user is NOT_FOUND", async () => {
      const r = await command("UpdateUser", {
        email: "nobody@example.com",
        request_id: rid(),
        high_value: 3,
      });
      assert.equal(r.code, grpc.status.NOT_FOUND);
    });

    await t.step("DeleteUser removes the user; a second delete is NOT_FOUND", async () => {
      const r = await command("DeleteUser", { email: "bob@example.com", request_id: rid() });
      assert.equal(r.code, grpc.status.OK, r.details);
      assert.deepEqual(
        await queryRows(db.url, "SELECT * FROM users WHERE email = 'bob@example.com'"),
        [],
      );
      const again = await command("DeleteUser", { email: "bob@example.com", request_id: rid() });
      assert.equal(again.code, grpc.status.NOT_FOUND);
    });

    await t.step(
      "bad input of every kind is INVALID_ARGUMENT with a message and changes nothing",
      async () => {
        const before = await snapshotTables(db.url);
        const bad: [string, Record<string, unknown>, RegExp][] = [
          ["RegisterUser", { email: "x@example.com", ticker: "AAPL" }, /request_id is required/],
          [
            "RegisterUser",
            { email: "not-an-email", ticker: "AAPL", request_id: rid() },
            /email .* is not valid/,
          ],
          ["RegisterUser", { email: "", ticker: "AAPL", request_id: rid() }, /email is required/],
          [
            "RegisterUser",
            { email: "x@example.com", ticker: "", request_id: rid() },
            /ticker is required/,
          ],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL; DROP TABLE users",
            request_id: rid(),
          }, /not a valid Yahoo/],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL",
            request_id: rid(),
            high_value: -0.01,
          }, /high_value must be/],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL",
            request_id: rid(),
            low_value: -5,
          }, /low_value must be/],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL",
            request_id: rid(),
            high_value: NaN,
          }, /high_value must be/],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL",
            request_id: rid(),
            high_value: Infinity,
          }, /high_value must be/],
          ["RegisterUser", {
            email: "x@example.com",
            ticker: "AAPL",
            request_id: rid(),
            high_value: 5,
            low_value: 6,
          }, /greater than low_value/],
          ["RegisterUser", {
            email: `${"a".repeat(250)}@example.com`,
            ticker: "AAPL",
            request_id: rid(),
          }, /longer than 254/],
          ["LoginUser", { email: "ada@example.com" }, /request_id is required/],
          ["LoginUser", { email: "bad", request_id: rid() }, /not valid/],
          ["UpdateUser", { email: "ada@example.com", request_id: rid() }, /nothing to change/],
          [
            "UpdateUser",
            { email: "ada@example.com", request_id: rid(), high_value: 0.5 },
            /greater than low_value/,
          ],
          ["UpdateUser", {
            email: "ada@example.com",
            request_id: rid(),
            low_value: 2,
            clear_low_value: true,
          }, /not both/],
          [
            "UpdateUser",
            { email: "ada@example.com", request_id: rid(), ticker: "??" },
            /not a valid Yahoo/,
          ],
          ["DeleteUser", { email: "ada@example.com", request_id: "" }, /request_id is required/],
          ["DeleteUser", { email: "ada@example.com", request_id: "has space" }, /printable ASCII/],
        ];
        for (const [method, request, message] of bad) {
          const r = await command(method, request);
          assert.equal(
            r.code,
            grpc.status.INVALID_ARGUMENT,
            `${method} ${JSON.stringify(request)}: ${r.details}`,
          );
          assert.match(r.details, message);
        }
        assert.equal(await snapshotTables(db.url), before);
      },
    );
  } finally {
    close();
    await server.stop();
  }
});
