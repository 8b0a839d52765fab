/**
 * With TLS asked for, the MySQL and Kafka adapters never fall back to plaintext: against the
 * local MariaDB and brokers, which speak plaintext only, connecting fails.
 */
import assert from "node:assert/strict";
import { createKafkaClient, MysqlDatabase, silentLogger } from "../../core/mod.ts";
import { TEST_MYSQL_SERVER } from "../helpers/mysql.ts";

const KAFKA = (Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");

Deno.test("MysqlDatabase.connect() with tls refuses a server that cannot speak TLS", async () => {
  await assert.rejects(
    MysqlDatabase.connect({
      url: `${TEST_MYSQL_SERVER}/tw_tls_never_created`,
      tls: { caFile: undefined, certFile: undefined, keyFile: undefined, verify: true },
    }),
    (err: Error) => /SSL|TLS|secure/i.test(`${err.message} ${(err.cause as Error)?.message}`),
  );
});

Deno.test("createKafkaClient() with TLS does not reach plaintext brokers", async () => {
  const kafka = createKafkaClient({
    brokers: KAFKA,
    clientId: "tls-fallback-test",
    logger: silentLogger,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    security: {
      tls: { caFile: undefined, certFile: undefined, keyFile: undefined, verify: true },
      sasl: null,
    },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await assert.rejects(admin.connect());
  } finally {
    await admin.disconnect();
  }
  // The same client without TLS does connect: the failure above is TLS, not the cluster.
  const plain = createKafkaClient({
    brokers: KAFKA,
    clientId: "tls-fallback-test",
    logger: silentLogger,
  })
    .admin();
  await plain.connect();
  await plain.disconnect();
});
