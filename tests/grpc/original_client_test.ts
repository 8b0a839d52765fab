import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PROTO_LOADER_OPTIONS } from "../../core/grpc/user_service_proto.ts";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { clientsFromProto, rid } from "../helpers/grpc.ts";
import { commandServer } from "../helpers/servers.ts";

const ORIGINAL = fileURLToPath(new URL("../fixtures/original_user_service.proto", import.meta.url));

// What the original client.py does with the replies: it opens the user menu when the register
// reply contains "success", and logs out when the delete reply contains "cancellato".
const opensUserMenu = (message: unknown) => String(message).toLowerCase().includes("success");
const logsOut = (message: unknown) => String(message).toLowerCase().includes("cancellato");

Deno.test("a client built from the original proto works unchanged over one address", async () => {
  await using db = freshDatabase();
  // The original serves both services on one port, and its client sends everything there.
  const server = await commandServer(db.url, {
    GRPC_SERVICES: "command,query",
    RESPONSE_LANGUAGE: "it",
  });
  const { command, query, close } = clientsFromProto(ORIGINAL, server.port);
  try {
    // A proto3 client may put an unused threshold on the wire as 0: that means "not set".
    const reg = await command("RegisterUser", {
      email: "ada@example.com",
      ticker: "AAPL",
      request_id: rid(),
      high_value: 200,
      low_value: 0,
    });
    assert.equal(reg.code, grpc.status.OK, reg.details);
    assert.ok(opensUserMenu(reg.response?.message), String(reg.response?.message));
    assert.deepEqual(await queryRows(db.url, "SELECT high_value, low_value FROM users"), [
      { high_value: 200, low_value: null },
    ]);
    const login = await command("LoginUser", { email: "ada@example.com", request_id: rid() });
    assert.equal(login.response?.success, true);
    assert.match(String(login.response?.message), /successo/);
    const upd = await command("UpdateUser", {
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
      [new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 2))],
    );
    const latest = await query("GetLatestValue", { email: "ada@example.com" });
    assert.equal(latest.code, grpc.status.OK, latest.details);
    assert.equal(latest.response?.ticker, "MSFT", "client.py prints the value when ticker is set");
    assert.equal(latest.response?.value, 420.5);
    assert.equal(latest.response?.timestamp, "2024-01-02T00:00:00.000Z");
    // More than exist: the average of what there is (the original's behaviour).
    const avg = await query("GetAverageValue", { email: "ada@example.com", count: 20_000 });
    assert.equal(avg.code, grpc.status.OK, avg.details);
    assert.equal(avg.response?.ticker, "MSFT");
    assert.equal(avg.response?.average_value, 415.5);
    const del = await command("DeleteUser", { email: "ada@example.com", request_id: rid() });
    assert.equal(del.code, grpc.status.OK);
    assert.ok(logsOut(del.response?.message), String(del.response?.message));
    assert.deepEqual(await queryRows(db.url, "SELECT * FROM users"), []);
  } finally {
    close();
    await server.stop();
  }
});

/** One unary call with metadata, by full method path, on a client of the original proto. */
function callWithLanguage(
  port: number,
  method: string,
  request: Record<string, unknown>,
  language: string | undefined,
): Promise<{ code: grpc.status; message: string }> {
  const def = protoLoader.loadSync(ORIGINAL, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def).user_service as grpc.GrpcObject;
  const Cmd = pkg.UserCommandService as grpc.ServiceClientConstructor;
  const client = new Cmd(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (language) metadata.set("accept-language", language);
  return new Promise((resolve) => {
    (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!.call(
      client,
      request,
      metadata,
      (err: grpc.ServiceError | null, response: { message?: string } | undefined) => {
        client.close();
        resolve(
          err
            ? { code: err.code, message: err.details }
            : { code: grpc.status.OK, message: response?.message ?? "" },
        );
      },
    );
  });
}

Deno.test("reply texts follow the call's accept-language, else RESPONSE_LANGUAGE (default en)", async () => {
  await using db = freshDatabase();
  const server = await commandServer(db.url);
  try {
    const en = await callWithLanguage(server.port, "RegisterUser", {
      email: "bob@example.com",
      ticker: "AAPL",
      request_id: rid(),
    }, undefined);
    assert.equal(en.message, "user bob@example.com successfully registered for AAPL");
    assert.ok(opensUserMenu(en.message), "English success replies contain success");
    const again = await callWithLanguage(server.port, "RegisterUser", {
      email: "bob@example.com",
      ticker: "AAPL",
      request_id: rid(),
    }, "it-IT,it;q=0.9,en;q=0.8");
    assert.equal(again.code, grpc.status.ALREADY_EXISTS);
    assert.equal(again.message, "l'utente bob@example.com è già registrato");
    const rq = rid();
    const del = await callWithLanguage(
      server.port,
      "DeleteUser",
      { email: "bob@example.com", request_id: rq },
      "fr, it;q=0.5",
    );
    assert.ok(logsOut(del.message), del.message);
    const replay = await callWithLanguage(
      server.port,
      "DeleteUser",
      { email: "bob@example.com", request_id: rq },
      "en",
    );
    assert.equal(replay.code, grpc.status.OK, "a replay has the first run's outcome");
    assert.equal(replay.message, "user bob@example.com successfully deleted");
  } finally {
    await server.stop();
  }
});
