/**
 * tickerwatch kafka-admin: creates the topics when missing, then logs the cluster's brokers,
 * controller and every partition's leader, replicas and ISR at an interval.
 */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import { KAFKA_ADMIN_ENV, loadKafkaAdminConfig } from "../core/services/kafka_admin_config.ts";
import { startKafkaAdmin } from "../core/services/kafka_admin.ts";

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
