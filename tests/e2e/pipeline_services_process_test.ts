import assert from "node:assert/strict";
import { KAFKA_BROKERS, randomName } from "../_kafka.ts";
import { withKafkaTopics } from "../helpers/kafka_topics.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { ServiceProcess } from "../helpers/processes.ts";
import { withServices } from "../helpers/services.ts";

Deno.test(
  "collector, alert system and notifier processes drain on SIGTERM and exit 0",
  () =>
    withKafkaTopics([
      { prefix: "sigterm-to-alert-system", dlq: true },
      { prefix: "sigterm-to-notifier", dlq: true },
    ], async ({ names: [toAlert, toNotifier] }) => {
      await using db = freshDatabase();
      const env = {
        MYSQL_URL: db.url,
        KAFKA_BROKERS: KAFKA_BROKERS.join(","),
        TOPIC_TO_ALERT_SYSTEM: toAlert!,
        TOPIC_TO_NOTIFIER: toNotifier!,
      };
      await withServices(async (s) => {
        const kill = (p: ServiceProcess) => ({ stop: () => p.stop("SIGKILL") });
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
        // Whatever fails below, no process outlives the test.
        for (const { p } of services) s.use(kill(p));
        for (const { p, ready } of services) await p.waitForLine(ready, 60_000);
        for (const { p, stopped } of services) {
          const status = await p.stop("SIGTERM");
          assert.equal(status.code, 0, p.lines.join("\n"));
          assert.ok(p.lines.some((l) => stopped.test(l)), `${stopped} logged`);
        }
      });
    }),
);
