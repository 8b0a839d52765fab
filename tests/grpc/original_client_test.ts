import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { clientsFromProto, rid } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";

const ORIGINAL = fileURLToPath(new URL("../fixtures/original_user_service.proto", import.meta.url));
Deno.test("a client built from the original proto works unchanged", async () => {
  await using db = freshDatabase();
  const cmd = await commandServer(db.url);
  const qry = await queryServer(db.url);
  const c = clientsFromProto(ORIGINAL, cmd.port);
  const q = clientsFromProto(ORIGINAL, qry.port);
  try {
    // The original (proto3, implicit presence) client leaves an unused threshold off the wire.
    const reg = await c.command("RegisterUser", {
      email: "ada@example.com",
      ticker: "AAPL",
      request_id: rid(),
      high_value: 200,
    });
    assert.equal(reg.code, grpc.status.OK, reg.details);
    assert.deepEqual(await queryRows(db.url, "SELECT high_value, low_value FROM users"), [
      { high_value: 200, low_value: null },
    ]);
    const login = await c.command("LoginUser", { email: "ada@example.com", request_id: rid() });
    assert.deepEqual(login.response, { message: "user ada@example.com logged in", success: true });
    const upd = await c.command("UpdateUser", {
      email: "ada@example.com",
      ticker: "MSFT",
      request_id: rid(),
      high_value: 500,
      low_value: 400,
    });
    assert.equal(upd.code, grpc.status.OK, upd.details);
    assert.deepEqual(await queryRows(db.url, "SELECT ticker, high_value, low_value FROM users"), [
      { ticker: "MSFT", high_value: 500, low_value: 400 },
    ]);
    await queryRows(
      db.url,
      "INSERT INTO quotes (ticker, price, at) VALUES ('MSFT', 410.5, ?), ('MSFT', 420.5, ?)",
      [
        new Date(Date.UTC(2024, 0, 1)),
        new Date(Date.UTC(2024, 0, 2)),
      ],
    );
    const latest = await q.query("GetLatestValue", { email: "ada@example.com" });
    assert.deepEqual(latest.response, {
      email: "ada@example.com",
      ticker: "MSFT",
      value: 420.5,
      timestamp: "2024-01-02T00:00:00.000Z",
    });
    // The original response has no values_count: the extra field is skipped by its decoder.
    const avg = await q.query("GetAverageValue", { email: "ada@example.com", count: 2 });
    assert.deepEqual(avg.response, {
      email: "ada@example.com",
      ticker: "MSFT",
      average_value: 415.5,
    });
    const del = await c.command("DeleteUser", { email: "ada@example.com", request_id: rid() });
    assert.equal(del.code, grpc.status.OK);
    assert.deepEqual(await queryRows(db.url, "SELECT * FROM users"), []);
  } finally {
    c.close();
    q.close();
    await cmd.stop();
    await qry.stop();
  }
});
