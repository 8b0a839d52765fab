import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { runToEnd, ServiceProcess } from "../helpers/processes.ts";

Deno.test("a bad configuration value exits 2 with one line naming the variable", async () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["command_server", { GRPC_ADDR: "nowhere" }, /GRPC_ADDR: must be host:port/],
    ["command_server", { MYSQL_URL: "postgres://x@y/z" }, /MYSQL_URL: must use mysql:/],
    ["command_server", { REQUEST_RETENTION_S: "a day" }, /REQUEST_RETENTION_S: must be an integer/],
    ["query_server", { GRPC_ADDR: "127.0.0.1:99999" }, /GRPC_ADDR: must be host:port/],
    ["query_server", { LOG_LEVEL: "chatty" }, /LOG_LEVEL: must be one of/],
    [
      "query_server",
      { MYSQL_URL: "mysql://u:hunter2@h:3306/bad-name" },
      /MYSQL_URL: must name a database/,
    ],
  ];
  for (const [name, env, message] of cases) {
    const r = await runToEnd(name, env);
    assert.equal(r.code, 2, `${name} ${JSON.stringify(env)}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.ok(!r.stderr.includes("hunter2"), "the password must not be printed");
  }
});

Deno.test("--help and --version exit 0", async () => {
  for (const name of ["command_server", "query_server"]) {
    const help = await runToEnd(name, {}, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /GRPC_ADDR/);
    assert.match(help.stdout, /MYSQL_URL/);
    const version = await runToEnd(name, {}, ["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /tickerwatch .* \d+\.\d+\.\d+/);
  }
});

Deno.test(
  "the command server process drains on SIGTERM, exits 0, and a restarted one replays",
  async () => {
    await using db = freshDatabase();
    const env = { MYSQL_URL: db.url, GRPC_ADDR: "127.0.0.1:0" };
    const first = new ServiceProcess("command_server", env);
    const c1 = userServiceClients(await first.grpcPort());
    const req = { email: "ada@example.com", ticker: "AAPL", request_id: rid(), high_value: 1 };
    const answer = await c1.command("RegisterUser", req);
    assert.equal(answer.code, grpc.status.OK, answer.details);
    c1.close();
    const status = await first.stop("SIGTERM");
    assert.equal(status.code, 0, first.lines.join("\n"));
    assert.ok(first.lines.some((l) => /"command server stopped"/.test(l)));

    await queryRows(db.url, "DELETE FROM users");
    // A crash (SIGKILL) loses nothing either: the outcome was committed before the answer.
    const second = new ServiceProcess("command_server", env);
    const c2 = userServiceClients(await second.grpcPort());
    try {
      assert.deepEqual(await c2.command("RegisterUser", req), answer);
      assert.deepEqual(await queryRows(db.url, "SELECT * FROM users"), []);
    } finally {
      c2.close();
      await second.stop("SIGKILL");
    }
    const third = new ServiceProcess("command_server", env);
    const c3 = userServiceClients(await third.grpcPort());
    try {
      assert.deepEqual(await c3.command("RegisterUser", req), answer);
    } finally {
      c3.close();
      assert.equal((await third.stop("SIGINT")).code, 0);
    }
  },
);

Deno.test("the query server process exits 0 on SIGINT", async () => {
  await using db = freshDatabase();
  const p = new ServiceProcess("query_server", { MYSQL_URL: db.url, GRPC_ADDR: "127.0.0.1:0" });
  await p.grpcPort();
  assert.equal((await p.stop("SIGINT")).code, 0);
  assert.ok(
    p.lines.every((l) => JSON.parse(l).service === "query-server"),
    "every log line names the service",
  );
});
