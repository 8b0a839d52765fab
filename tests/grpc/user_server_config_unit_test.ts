import assert from "node:assert/strict";
import { ConfigError, loadCommandServerConfig, loadQueryServerConfig } from "../../core/mod.ts";

Deno.test("loadCommandServerConfig() hosts its own service, English replies, no ticker check by default", () => {
  const c = loadCommandServerConfig({});
  assert.deepEqual(c.grpcServices, ["command"]);
  assert.equal(c.responseLanguage, "en");
  assert.equal(c.tickerCheck, null);
  assert.deepEqual(loadQueryServerConfig({}).grpcServices, ["query"]);
});

Deno.test("GRPC_SERVICES lists command and/or query; anything else names the variable", () => {
  const c = loadQueryServerConfig({ GRPC_SERVICES: " Query , command,query" });
  assert.deepEqual(c.grpcServices, ["query", "command"]);
  for (const bad of ["orders", "command,", ",", "command;query"]) {
    assert.throws(
      () => loadCommandServerConfig({ GRPC_SERVICES: bad }),
      (e: unknown) => e instanceof ConfigError && e.variable === "GRPC_SERVICES",
      bad,
    );
  }
});

Deno.test("RESPONSE_LANGUAGE is en or it", () => {
  assert.equal(loadQueryServerConfig({ RESPONSE_LANGUAGE: "it" }).responseLanguage, "it");
  assert.throws(() => loadCommandServerConfig({ RESPONSE_LANGUAGE: "fr" }), /RESPONSE_LANGUAGE/);
});

Deno.test("TICKER_CHECK follows PRICE_SOURCE when unset and refuses source with made-up prices", () => {
  const yahoo = { kind: "yahoo", timeoutMs: 2_000 };
  assert.deepEqual(loadCommandServerConfig({ PRICE_SOURCE: "yahoo" }).tickerCheck, yahoo);
  assert.equal(loadCommandServerConfig({ PRICE_SOURCE: "synthetic" }).tickerCheck, null);
  assert.equal(loadCommandServerConfig({ PRICE_SOURCE: "replay:x.csv" }).tickerCheck, null);
  assert.deepEqual(
    loadCommandServerConfig({ TICKER_CHECK: "source", TICKER_CHECK_TIMEOUT_MS: "500" }).tickerCheck,
    { kind: "yahoo", timeoutMs: 500 },
  );
  assert.equal(
    loadCommandServerConfig({ TICKER_CHECK: "off", PRICE_SOURCE: "yahoo" }).tickerCheck,
    null,
  );
  assert.throws(
    () => loadCommandServerConfig({ TICKER_CHECK: "source", PRICE_SOURCE: "synthetic" }),
    /TICKER_CHECK: source needs PRICE_SOURCE=yahoo/,
  );
  assert.throws(() => loadCommandServerConfig({ TICKER_CHECK: "maybe" }), /TICKER_CHECK/);
});

Deno.test("MYSQL_POOL_SIZE sizes the MySQL pool: default 10, 1-1000", () => {
  assert.equal(loadCommandServerConfig({}).mysqlPoolSize, 10);
  assert.equal(loadQueryServerConfig({ MYSQL_POOL_SIZE: "25" }).mysqlPoolSize, 25);
  for (const bad of ["0", "-1", "1001", "ten", "2.5"]) {
    assert.throws(
      () => loadQueryServerConfig({ MYSQL_POOL_SIZE: bad }),
      (e: unknown) => e instanceof ConfigError && e.variable === "MYSQL_POOL_SIZE",
      bad,
    );
  }
});
