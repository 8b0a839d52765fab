import assert from "node:assert/strict";
import { Counter, Gauge, Registry } from "prom-client";
import { createLogger, silentLogger } from "../../core/mod.ts";
import { MetricsServer, serveMetrics } from "../../core/metrics/metrics_server.ts";

async function get(port: number, path: string, method = "GET") {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

Deno.test("MetricsServer answers /metrics in the Prometheus text format 0.0.4", async () => {
  const registry = new Registry();
  new Counter({ name: "hits_total", help: "Hits.", registers: [registry] }).inc();
  await using server = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry,
    logger: silentLogger,
  });
  const res = await get(server.port, "/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.type, "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(res.body, "# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total 1\n");
});

Deno.test("MetricsServer runs the collect callbacks at every scrape of /metrics", async () => {
  const registry = new Registry();
  let scrapes = 0;
  new Gauge({
    name: "scrapes",
    help: "Scrapes.",
    registers: [registry],
    async collect() {
      await Promise.resolve();
      this.set(++scrapes);
    },
  });
  await using server = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry,
    logger: silentLogger,
  });
  await get(server.port, "/metrics");
  assert.match((await get(server.port, "/metrics")).body, /\nscrapes 2\n$/);
});

Deno.test("MetricsServer answers 500 and logs the error when a collect callback throws", async () => {
  const registry = new Registry();
  new Gauge({
    name: "broken",
    help: "Broken.",
    registers: [registry],
    collect() {
      throw new Error("cannot read the state");
    },
  });
  const errors: { msg: string; err: { message: string } }[] = [];
  const logger = createLogger("test", {
    level: "error",
    sink: (line) => errors.push(JSON.parse(line)),
  });
  await using server = await MetricsServer.start({ address: "127.0.0.1:0", registry, logger });
  assert.equal((await get(server.port, "/metrics")).status, 500);
  assert.deepEqual(
    errors.map((e) => [e.msg, e.err.message]),
    [["metrics request failed", "cannot read the state"]],
  );
  assert.equal((await get(server.port, "/healthz")).status, 200);
});

Deno.test("MetricsServer answers /healthz 200 while ready and 503 when not, failing or slow", async () => {
  let ready: () => boolean | Promise<boolean> = () => true;
  await using server = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry: new Registry(),
    ready: () => ready(),
    readyTimeoutMs: 200,
    logger: silentLogger,
  });
  const ok = await get(server.port, "/healthz");
  assert.deepEqual(ok, { status: 200, type: "application/json", body: '{"status":"ok"}' });
  ready = () => false;
  const down = await get(server.port, "/healthz");
  assert.deepEqual(down, {
    status: 503,
    type: "application/json",
    body: '{"status":"unavailable"}',
  });
  ready = () => {
    throw new Error("database gone");
  };
  assert.equal((await get(server.port, "/healthz")).status, 503);
  ready = () => new Promise<boolean>(() => {});
  assert.equal((await get(server.port, "/healthz")).status, 503);
  ready = () => Promise.resolve(true);
  assert.equal((await get(server.port, "/healthz")).status, 200);
});

Deno.test("MetricsServer answers 404 for other paths and 405 for other methods", async () => {
  await using server = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry: new Registry(),
    logger: silentLogger,
  });
  assert.equal((await get(server.port, "/")).status, 404);
  assert.equal((await get(server.port, "/metrics/x")).status, 404);
  assert.equal((await get(server.port, "/metrics", "POST")).status, 405);
});

Deno.test("MetricsServer.close() stops listening", async () => {
  const server = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry: new Registry(),
    logger: silentLogger,
  });
  const { port } = server;
  await server.close();
  await assert.rejects(() => fetch(`http://127.0.0.1:${port}/metrics`), TypeError);
});

Deno.test("MetricsServer.start() throws AddrInUse when the port is taken", async () => {
  await using first = await MetricsServer.start({
    address: "127.0.0.1:0",
    registry: new Registry(),
    logger: silentLogger,
  });
  await assert.rejects(
    () =>
      MetricsServer.start({
        address: `127.0.0.1:${first.port}`,
        registry: new Registry(),
        logger: silentLogger,
      }),
    Deno.errors.AddrInUse,
  );
});

Deno.test("serveMetrics() serves nothing for a null address (METRICS_ADDR=off)", async () => {
  const server = await serveMetrics(null, {
    registry: new Registry(),
    logger: silentLogger,
  });
  assert.equal(server, undefined);
});
