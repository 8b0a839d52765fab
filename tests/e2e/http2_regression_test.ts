// Regression guard for denoland/deno#36788: in some Deno releases node:http2 kills the process
// when a peer closes an HTTP/2 connection after ~130+ requests. A client must never crash a server.
import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { ServiceProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/wait.ts";

const LOAD_CLIENT = fileURLToPath(new URL("../fixtures/grpc_load_client.ts", import.meta.url));

async function loadClient(port: number, calls: number, email: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LOAD_CLIENT, String(port), String(calls), email],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return text;
}

Deno.test(
  "clients that make 500+ calls on one channel and close it cannot crash the server",
  async () => {
    await using db = freshDatabase();
    const cmd = new ServiceProcess("command_server", {
      MYSQL_URL: db.url,
      GRPC_ADDR: "127.0.0.1:0",
    });
    const qry = new ServiceProcess("query_server", { MYSQL_URL: db.url, GRPC_ADDR: "127.0.0.1:0" });
    const [cport, qport] = [await cmd.grpcPort(), await qry.grpcPort()];
    const clients = userServiceClients(cport, qport);
    try {
      await clients.command("RegisterUser", {
        email: "ada@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      await queryRows(db.url, "INSERT INTO quotes (ticker, price, at) VALUES ('AAPL', 1, ?)", [
        new Date(),
      ]);
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(
          [500, 600, 700].map((n) => loadClient(qport, n, "ada@example.com")),
        );
        assert.deepEqual(results, ["done 500 0", "done 600 0", "done 700 0"]);
        const alive = await clients.query("GetLatestValue", { email: "ada@example.com" });
        assert.equal(alive.code, grpc.status.OK, `round ${round}: ${alive.details}`);
      }
      const exited = await Promise.race([
        qry.exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 200)),
      ]);
      assert.equal(exited, false, "the query server must still run");
    } finally {
      clients.close();
      await cmd.stop();
      await qry.stop();
    }
  },
);

Deno.test(
  "a client reconnects by itself after the server restarts on the same port",
  async () => {
    await using db = freshDatabase();
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const env = { MYSQL_URL: db.url, GRPC_ADDR: `127.0.0.1:${port}` };
    const first = new ServiceProcess("command_server", env);
    await first.grpcPort();
    const { command, close } = userServiceClients(port);
    try {
      const a = await command("RegisterUser", {
        email: "ada@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      assert.equal(a.code, grpc.status.OK);
      assert.equal((await first.stop()).code, 0);
      const down = await command("LoginUser", { email: "ada@example.com", request_id: rid() });
      assert.equal(down.code, grpc.status.UNAVAILABLE);
      const second = new ServiceProcess("command_server", env);
      try {
        await second.grpcPort();
        const back = await waitFor(async () => {
          const r = await command("LoginUser", { email: "ada@example.com", request_id: rid() });
          return r.code === grpc.status.OK ? r : undefined;
        }, { timeoutMs: 20_000, intervalMs: 200, what: "the client to reconnect" });
        assert.equal(back.response?.success, true);
      } finally {
        await second.stop();
      }
    } finally {
      close();
    }
  },
);
