import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { createLogger } from "../../core/mod.ts";
import { freshDatabase, TEST_MYSQL_SERVER } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";
import { TcpProxy } from "../helpers/tcp_proxy.ts";
import { waitFor } from "../helpers/wait.ts";

/** A proxy in front of the test MySQL server, and `url` rewritten to reach it through it. */
function throughProxy(url: string): { proxy: TcpProxy; url: string } {
  const target = new URL(TEST_MYSQL_SERVER);
  const port = Number(target.port || 3306);
  const proxy = new TcpProxy({ hostname: target.hostname, port }).start();
  return { proxy, url: url.replace(`${target.hostname}:${port}`, `127.0.0.1:${proxy.port}`) };
}

Deno.test(
  "a database outage gives UNAVAILABLE and both servers recover by themselves",
  async () => {
    await using db = freshDatabase();
    const { proxy, url: viaProxy } = throughProxy(db.url);
    const cmd = await commandServer(viaProxy);
    const qry = await queryServer(viaProxy);
    const { command, query, close } = userServiceClients(cmd.port, qry.port);
    try {
      const ok = await command("RegisterUser", {
        email: "ada@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      assert.equal(ok.code, grpc.status.OK, ok.details);

      proxy.cut();
      const req = { email: "bob@example.com", ticker: "MSFT", request_id: rid() };
      const down = await command("RegisterUser", req);
      assert.equal(down.code, grpc.status.UNAVAILABLE);
      assert.match(down.details, /database unavailable/);
      const qdown = await query("GetLatestValue", { email: "ada@example.com" });
      assert.equal(qdown.code, grpc.status.UNAVAILABLE);

      proxy.restore();
      // The same request_id goes through once the database is back: the failed try stored nothing.
      const up = await waitFor(async () => {
        const r = await command("RegisterUser", req);
        return r.code === grpc.status.UNAVAILABLE ? undefined : r;
      }, { what: "command server to recover" });
      assert.equal(up.code, grpc.status.OK, up.details);
      const qup = await waitFor(async () => {
        const r = await query("GetLatestValue", { email: "ada@example.com" });
        return r.code === grpc.status.UNAVAILABLE ? undefined : r;
      }, { what: "query server to recover" });
      assert.equal(qup.code, grpc.status.NOT_FOUND); // reachable again; just no quotes yet
    } finally {
      close();
      proxy.close();
      await cmd.stop();
      await qry.stop();
    }
  },
);

Deno.test(
  "a server started while the database is down waits for it and then serves",
  async () => {
    await using db = freshDatabase();
    const { proxy, url: viaProxy } = throughProxy(db.url);
    proxy.cut();
    const lines: string[] = [];
    const starting = commandServer(
      viaProxy,
      {},
      createLogger("command-server", { sink: (line) => lines.push(line) }),
    );
    await waitFor(() => lines.some((l) => l.includes("database unavailable at start, retrying")), {
      what: "the server to find the database down",
    });
    proxy.restore();
    const cmd = await starting;
    const { command, close } = userServiceClients(cmd.port);
    try {
      const r = await command("RegisterUser", {
        email: "ada@example.com",
        ticker: "AAPL",
        request_id: rid(),
      });
      assert.equal(r.code, grpc.status.OK, r.details);
    } finally {
      close();
      proxy.close();
      await cmd.stop();
    }
  },
);
