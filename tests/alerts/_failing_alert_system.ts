/**
 * Starts the alert system with the environment's configuration, prints why the start failed and
 * returns without exiting: the process ends by itself only if nothing was left open.
 * Usage: deno run -A _failing_alert_system.ts (MYSQL_URL, KAFKA_BROKERS, TOPIC_TO_ALERT_SYSTEM, …)
 */
import { loadAlertSystemConfig, startAlertSystem } from "../../core/mod.ts";
import { testLogger } from "../_kafka.ts";

try {
  const running = await startAlertSystem(loadAlertSystemConfig(Deno.env.toObject()), {
    logger: testLogger,
  });
  console.log("started");
  await running.stop();
} catch (err) {
  console.log(`start failed: ${(err as Error).name}`);
}
