import assert from "node:assert/strict";
import { databaseNameOf, loadAlertSystemConfig, startAlertSystem } from "../../core/mod.ts";
import { ensureKafkaCluster, KAFKA_BROKERS, randomName, testLogger } from "../_kafka.ts";
import { freshDatabase, queryNumber, TEST_MYSQL_SERVER } from "../helpers/mysql.ts";

/** The alert system's environment, its input topic missing: its consumer cannot subscribe. */
function envWithMissingTopic(mysqlUrl: string): Record<string, string> {
  return {
    MYSQL_URL: mysqlUrl,
    KAFKA_BROKERS: KAFKA_BROKERS.join(","),
    TOPIC_TO_ALERT_SYSTEM: randomName("t-missing"),
    ALERT_SYSTEM_GROUP: randomName("g-alert"),
    METRICS_ADDR: "off",
  };
}

Deno.test(
  "startAlertSystem() closes its database pool when the consumer cannot start",
  async () => {
    await ensureKafkaCluster();
    await using tmp = freshDatabase();
    const config = loadAlertSystemConfig(envWithMissingTopic(tmp.url));
    await assert.rejects(
      () => startAlertSystem(config, { logger: testLogger }),
      (err: Error) => err.name === "KafkaJSProtocolError" && /topic-partition/.test(err.message),
    );
    const connections = await queryNumber(
      TEST_MYSQL_SERVER,
      "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ?",
      [databaseNameOf(tmp.url)],
    );
    assert.equal(connections, 0, "connections of the pool still open");
  },
);

Deno.test(
  "startAlertSystem() leaves nothing open when the consumer cannot start: the process ends by itself",
  async () => {
    await ensureKafkaCluster();
    await using tmp = freshDatabase();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_failing_alert_system.ts", import.meta.url).pathname],
      env: envWithMissingTopic(tmp.url),
      stdout: "piped",
      stderr: "null",
      // A leaked producer or pool keeps the event loop alive: the child then is killed here.
      signal: AbortSignal.timeout(20_000),
    }).spawn();
    const { success, signal, stdout } = await child.output();
    assert.equal(signal, null, "the process had to be killed: something was left open");
    assert.ok(success);
    assert.match(new TextDecoder().decode(stdout), /start failed: KafkaJSProtocolError/);
  },
);
