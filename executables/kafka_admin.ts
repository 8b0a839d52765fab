/**
 * tickerwatch kafka-admin: creates the topics when missing, then logs the cluster's brokers,
 * controller and every partition's leader, replicas and ISR at an interval.
 */
import {
  KAFKA_ADMIN_ENV,
  loadKafkaAdminConfig,
  runService,
  startKafkaAdmin,
  usageOf,
} from "../core/mod.ts";

await runService({
  name: "kafka-admin",
  usage: usageOf(
    "kafka-admin",
    "creates to-alert-system, to-notifier and their .dlq topics (RF 3, min.insync.replicas 2) " +
      "when missing, then logs the cluster picture every KAFKA_MONITOR_INTERVAL_S seconds. " +
      "--once creates the topics, logs the picture once and exits.",
    KAFKA_ADMIN_ENV,
    "[--once]",
  ),
  flags: ["--once"],
  loadConfig: loadKafkaAdminConfig,
  start: (config, { logger, signal, args }) =>
    startKafkaAdmin(config, { logger, signal, once: args.includes("--once") }),
});
