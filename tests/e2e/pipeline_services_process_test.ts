import assert from "node:assert/strict";
import { dlqTopicOf, ensureTopics } from "../../core/mod.ts";
import {
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  KAFKA_BROKERS,
  randomName,
} from "../_kafka.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { ServiceProcess } from "../helpers/processes.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "collector, alert system and notifier processes drain on SIGTERM and exit 0",
  opts,
  async () => {
    await ensureKafkaCluster();
    await using db = freshDatabase();
    const admin = await connectAdmin();
    const prefix = randomName("sigterm");
    const topics = [`${prefix}.to-alert-system`, `${prefix}.to-notifier`];
    await ensureTopics(
      admin,
      topics.flatMap((t) => [{ topic: t, partitions: 1 }, { topic: dlqTopicOf(t), partitions: 1 }]),
    );
    const env = {
      MYSQL_URL: db.url,
      KAFKA_BROKERS: KAFKA_BROKERS.join(","),
      TOPIC_TO_ALERT_SYSTEM: topics[0]!,
      TOPIC_TO_NOTIFIER: topics[1]!,
    };
    try {
      const services = [
        {
          p: new ServiceProcess("collector", {
            ...env,
            PRICE_SOURCE: "synthetic",
            COLLECT_INTERVAL: "1",
          }),
          ready: /cycle skipped: no subscriptions/,
          stopped: /collector stopped/,
        },
        {
          p: new ServiceProcess("alert_system", { ...env, ALERT_SYSTEM_GROUP: randomName("g") }),
          ready: /alert system consuming/,
          stopped: /alert system stopped/,
        },
        {
          p: new ServiceProcess("notifier", { ...env, NOTIFIER_GROUP: randomName("g") }),
          ready: /notifier started/,
          stopped: /notifier stopped/,
        },
      ];
      for (const s of services) await s.p.waitForLine(s.ready, 60_000);
      for (const s of services) {
        const status = await s.p.stop("SIGTERM");
        assert.equal(status.code, 0, s.p.lines.join("\n"));
        assert.ok(s.p.lines.some((l) => s.stopped.test(l)), `${s.stopped} logged`);
      }
    } finally {
      await deleteTopics(admin, topics.flatMap((t) => [t, dlqTopicOf(t)]));
      await admin.disconnect();
    }
  },
);
