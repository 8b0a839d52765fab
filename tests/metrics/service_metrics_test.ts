import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { ServiceProcess } from "../helpers/processes.ts";
import { commandServer } from "../helpers/servers.ts";

/** The value of the sample `series` (name and labels exactly as written) in `text`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test(
  "startCommandServer() counts gRPC calls by method and code and times them on /metrics",
  async () => {
    await using db = freshDatabase();
    const server = await commandServer(db.url, { METRICS_ADDR: "127.0.0.1:0" });
    const { command, close } = userServiceClients(server.port);
    try {
      assert.ok(server.metricsPort, "metrics port reported");
      const user = { email: "ops@example.com", ticker: "AAPL", high_value: 200 };
      assert.equal((await command("RegisterUser", { ...user, request_id: rid() })).code, 0);
      assert.equal(
        (await command("RegisterUser", { ...user, request_id: rid() })).code,
        grpc.status.ALREADY_EXISTS,
      );
      assert.equal(
        (await command("RegisterUser", { ...user, email: "nope", request_id: rid() })).code,
        grpc.status.INVALID_ARGUMENT,
      );
      assert.equal(
        (await command("LoginUser", { email: user.email, request_id: rid() })).code,
        grpc.status.OK,
      );

      const res = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
      assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const text = await res.text();
      const requests = "tickerwatch_grpc_requests_total";
      assert.equal(sample(text, `${requests}{method="RegisterUser",code="OK"}`), 1);
      assert.equal(sample(text, `${requests}{method="RegisterUser",code="ALREADY_EXISTS"}`), 1);
      assert.equal(sample(text, `${requests}{method="RegisterUser",code="INVALID_ARGUMENT"}`), 1);
      assert.equal(sample(text, `${requests}{method="LoginUser",code="OK"}`), 1);
      assert.match(text, /# TYPE tickerwatch_grpc_errors_total counter\n/);
      assert.ok(!text.includes("\ntickerwatch_grpc_errors_total{"), "refusals are no errors");
      const latency = "tickerwatch_grpc_request_duration_seconds";
      assert.match(text, new RegExp(`# TYPE ${latency} histogram\n`));
      assert.equal(sample(text, `${latency}_count{method="RegisterUser"}`), 3);
      assert.equal(sample(text, `${latency}_bucket{le="+Inf",method="RegisterUser"}`), 3);
      assert.equal(sample(text, `${latency}_count{method="LoginUser"}`), 1);
      assert.ok(sample(text, `${latency}_sum{method="RegisterUser"}`)! > 0);
      assert.ok(sample(text, "process_resident_memory_bytes")! > 0);

      const health = await fetch(`http://127.0.0.1:${server.metricsPort}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
    } finally {
      close();
      await server.stop();
    }
    await assert.rejects(() => fetch(`http://127.0.0.1:${server.metricsPort}/metrics`), TypeError);
  },
);

Deno.test(
  "query_server process: /healthz answers 200 with the database up, and SIGTERM exits 0",
  async () => {
    await using db = freshDatabase();
    const proc = new ServiceProcess("query_server", {
      MYSQL_URL: db.url,
      GRPC_ADDR: "127.0.0.1:0",
    });
    try {
      const port = await proc.metricsPort();
      const line = JSON.parse(await proc.waitForLine(/metrics server listening/));
      assert.equal(line.service, "query-server");
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /# TYPE tickerwatch_grpc_requests_total counter/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
    } finally {
      const status = await proc.stop("SIGTERM");
      assert.equal(status.code, 0, proc.lines.join("\n"));
    }
  },
);
