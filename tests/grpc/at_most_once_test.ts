import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { freshDatabase, queryNumber, queryRows } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer } from "../helpers/servers.ts";

Deno.test(
  "a repeated request_id returns the stored response and does not execute again",
  async () => {
    await using db = freshDatabase();
    const server = await commandServer(db.url);
    const { command, close } = userServiceClients(server.port);
    try {
      const id = rid();
      const req = { email: "ada@example.com", ticker: "AAPL", request_id: id, high_value: 10 };
      const first = await command("RegisterUser", req);
      assert.equal(first.code, grpc.status.OK);
      // Delete the user behind the ledger's back: a re-execution would register it again.
      await queryRows(db.url, "DELETE FROM users");
      const again = await command("RegisterUser", req);
      assert.deepEqual(again, first);
      assert.deepEqual(await queryRows(db.url, "SELECT * FROM users"), []);

      // A stored non-OK outcome replays with the same status and message.
      const missingId = rid();
      const miss = await command("DeleteUser", {
        email: "ghost@example.com",
        request_id: missingId,
      });
      assert.equal(miss.code, grpc.status.NOT_FOUND);
      await command("RegisterUser", {
        email: "ghost@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      const missAgain = await command("DeleteUser", {
        email: "ghost@example.com",
        request_id: missingId,
      });
      assert.deepEqual(missAgain, miss);
      assert.equal(
        (await queryRows(db.url, "SELECT * FROM users WHERE email = 'ghost@example.com'")).length,
        1,
      );

      // The same id with another payload is rejected.
      const conflict = await command("RegisterUser", { ...req, high_value: 11 });
      assert.equal(conflict.code, grpc.status.INVALID_ARGUMENT);
      assert.match(conflict.details, /already used for a different request/);
    } finally {
      close();
      await server.stop();
    }
  },
);

Deno.test("at-most-once holds across a server restart (the ledger is in MySQL)", async () => {
  await using db = freshDatabase();
  const id = rid();
  const req = { email: "ada@example.com", ticker: "AAPL", request_id: id };
  const a = await commandServer(db.url);
  const c1 = userServiceClients(a.port);
  const first = await c1.command("RegisterUser", req);
  c1.close();
  await a.stop();
  await queryRows(db.url, "DELETE FROM users");

  const b = await commandServer(db.url);
  const c2 = userServiceClients(b.port);
  try {
    const replay = await c2.command("RegisterUser", req);
    assert.deepEqual(replay, first);
    assert.deepEqual(await queryRows(db.url, "SELECT * FROM users"), []);
    const conflict = await c2.command("RegisterUser", { ...req, ticker: "MSFT" });
    assert.equal(conflict.code, grpc.status.INVALID_ARGUMENT);
  } finally {
    c2.close();
    await b.stop();
  }
});

Deno.test(
  "at-most-once holds across two server instances, also for concurrent duplicates",
  async () => {
    await using db = freshDatabase();
    const a = await commandServer(db.url);
    const b = await commandServer(db.url);
    const ca = userServiceClients(a.port);
    const cb = userServiceClients(b.port);
    try {
      // 20 request ids, each sent at the same moment to both replicas, for an update that
      // counts its executions: each execution moves the ticker, so duplicates would show.
      await ca.command("RegisterUser", {
        email: "ada@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const req = {
            email: `user${i}@example.com`,
            ticker: "AAPL",
            request_id: `dup-${i}`,
            high_value: 5,
          };
          return Promise.all([ca.command("RegisterUser", req), cb.command("RegisterUser", req)]);
        }),
      );
      for (const [x, y] of results) {
        assert.equal(x.code, grpc.status.OK, x.details);
        assert.deepEqual(y, x);
      }
      assert.equal(await queryNumber(db.url, "SELECT COUNT(*) FROM users"), 21);
      assert.equal(
        await queryNumber(
          db.url,
          "SELECT COUNT(*) AS p FROM processed_requests WHERE request_id LIKE 'dup-%' AND status = 'OK'",
        ),
        20,
      );

      // Delete through A, replay through B: B answers from the ledger and executes nothing.
      const del = { email: "ada@example.com", request_id: rid() };
      const first = await ca.command("DeleteUser", del);
      assert.equal(first.code, grpc.status.OK);
      await ca.command("RegisterUser", {
        email: "ada@example.com",
        ticker: "MSFT",
        request_id: rid(),
      });
      const replay = await cb.command("DeleteUser", del);
      assert.deepEqual(replay, first);
      assert.equal(
        (await queryRows(db.url, "SELECT * FROM users WHERE email = 'ada@example.com'")).length,
        1,
      );
    } finally {
      ca.close();
      cb.close();
      await a.stop();
      await b.stop();
    }
  },
);

Deno.test(
  "command server purges request ids older than REQUEST_RETENTION_S, so a repeat runs afresh",
  async () => {
    await using db = freshDatabase();
    const env = { REQUEST_RETENTION_S: "3600" };
    const expired = { email: "ada@example.com", request_id: rid() };
    const kept = { email: "bob@example.com", request_id: rid() };
    const first = await commandServer(db.url, env);
    const c1 = userServiceClients(first.port);
    try {
      assert.equal((await c1.command("RegisterUser", { ...expired, ticker: "AAPL" })).code, 0);
      assert.equal((await c1.command("RegisterUser", { ...kept, ticker: "AAPL" })).code, 0);
    } finally {
      c1.close();
      await first.stop();
    }
    // Age one record past the 1-hour retention and the other just inside it.
    await queryRows(
      db.url,
      "UPDATE processed_requests SET created_at = created_at - INTERVAL ? MINUTE WHERE request_id = ?",
      [61, expired.request_id],
    );
    await queryRows(
      db.url,
      "UPDATE processed_requests SET created_at = created_at - INTERVAL ? MINUTE WHERE request_id = ?",
      [59, kept.request_id],
    );

    // A new server (empty in-memory cache) purges at start with its REQUEST_RETENTION_S.
    const second = await commandServer(db.url, env);
    const c2 = userServiceClients(second.port);
    try {
      assert.deepEqual(
        (await queryRows(db.url, "SELECT request_id FROM processed_requests")).map((r) =>
          r.request_id
        ),
        [kept.request_id],
      );
      // Executed afresh: the user exists, so this time the answer is ALREADY_EXISTS.
      const again = await c2.command("RegisterUser", { ...expired, ticker: "MSFT" });
      assert.equal(again.code, grpc.status.ALREADY_EXISTS);
      // The id inside the retention still replays its stored answer, even for another payload.
      const replay = await c2.command("RegisterUser", { ...kept, ticker: "MSFT" });
      assert.equal(replay.code, grpc.status.INVALID_ARGUMENT);
      assert.match(replay.details, /already used for a different request/);
    } finally {
      c2.close();
      await second.stop();
    }
  },
);
