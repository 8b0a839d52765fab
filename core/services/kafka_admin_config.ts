/** Configuration of the kafka-admin executable, read from environment variables. */
import { readKafkaBrokers, readMetricsAddr, readTopic } from "../config/common_config.ts";
import {
  KAFKA_SECURITY_ENV,
  type KafkaSecurity,
  readKafkaSecurity,
} from "../config/security_config.ts";
import { type Env, EnvReader } from "../config/env.ts";
import { TOPIC_TO_ALERT_SYSTEM, TOPIC_TO_NOTIFIER } from "../messages/topics.ts";
import type { LogLevel } from "../log/logger.ts";

/**
 * Default partitions of `to-notifier` (and its DLQ): enough for a produce request per broker to
 * carry many 500-byte batches and for the notifier to work on partitions concurrently; chosen
 * from `scripts/bench_cycle.ts` (README, "Partitions").
 */
export const DEFAULT_TO_NOTIFIER_PARTITIONS = 30;

/** Validated configuration of kafka-admin. */
export interface KafkaAdminConfig {
  /** `KAFKA_BROKERS`: bootstrap `host:port` list. */
  brokers: string[];
  /** `KAFKA_CLIENT_ID`: default "kafka-admin". */
  clientId: string;
  /** `TO_ALERT_SYSTEM_PARTITIONS`: partitions of to-alert-system (and its DLQ); default 1. */
  toAlertSystemPartitions: number;
  /**
   * `TO_NOTIFIER_PARTITIONS`: partitions of to-notifier (and its DLQ); default
   * {@linkcode DEFAULT_TO_NOTIFIER_PARTITIONS} (30). An existing topic with fewer is raised to it.
   */
  toNotifierPartitions: number;
  /** `KAFKA_REPLICATION_FACTOR`: default 3. */
  replicationFactor: number;
  /** `KAFKA_MIN_INSYNC_REPLICAS`: default 2, at most the replication factor. */
  minInsyncReplicas: number;
  /** `KAFKA_MONITOR_INTERVAL_S` in ms: how often the cluster picture is logged; default 120 s. */
  monitorIntervalMs: number;
  /** `KAFKA_ADMIN_TIMEOUT_S` in ms: how long to wait for the cluster at start; default 60 s. */
  startTimeoutMs: number;
  /** `LOG_LEVEL`: default "info". */
  logLevel: LogLevel;
  /** `TOPIC_TO_ALERT_SYSTEM`: default "to-alert-system". */
  toAlertSystemTopic: string;
  /** `TOPIC_TO_NOTIFIER`: default "to-notifier". */
  toNotifierTopic: string;
  /** `METRICS_ADDR`: `/metrics` and `/healthz` address, null when `off`; default 0.0.0.0:9106. */
  metricsAddr: string | null;
  /** `KAFKA_TLS*`, `KAFKA_SASL_*`: TLS and SASL to the brokers; both null: plaintext. */
  kafkaSecurity: KafkaSecurity;
}

/** Environment variables kafka-admin reads. */
export const KAFKA_ADMIN_ENV = [
  "KAFKA_BROKERS",
  "KAFKA_CLIENT_ID",
  "TO_ALERT_SYSTEM_PARTITIONS",
  "TO_NOTIFIER_PARTITIONS",
  "KAFKA_REPLICATION_FACTOR",
  "KAFKA_MIN_INSYNC_REPLICAS",
  "KAFKA_MONITOR_INTERVAL_S",
  "KAFKA_ADMIN_TIMEOUT_S",
  "TOPIC_TO_ALERT_SYSTEM",
  "TOPIC_TO_NOTIFIER",
  "LOG_LEVEL",
  "METRICS_ADDR",
  ...KAFKA_SECURITY_ENV,
] as const;

/**
 * Reads and validates kafka-admin's configuration from `env`.
 *
 * @throws {ConfigError} naming the first invalid variable
 * @example
 * ```ts
 * const config = loadKafkaAdminConfig({ TO_NOTIFIER_PARTITIONS: "6" });
 * config.toNotifierPartitions; // 6
 * ```
 */
export function loadKafkaAdminConfig(env: Env): KafkaAdminConfig {
  const r = new EnvReader(env);
  const replicationFactor = r.int("KAFKA_REPLICATION_FACTOR", 3, { min: 1, max: 32 });
  return {
    brokers: readKafkaBrokers(r),
    clientId: r.string("KAFKA_CLIENT_ID", "kafka-admin"),
    toAlertSystemPartitions: r.int("TO_ALERT_SYSTEM_PARTITIONS", 1, { min: 1, max: 1000 }),
    toNotifierPartitions: r.int("TO_NOTIFIER_PARTITIONS", DEFAULT_TO_NOTIFIER_PARTITIONS, {
      min: 1,
      max: 1000,
    }),
    replicationFactor,
    minInsyncReplicas: r.int("KAFKA_MIN_INSYNC_REPLICAS", 2, { min: 1, max: replicationFactor }),
    monitorIntervalMs: r.number("KAFKA_MONITOR_INTERVAL_S", 120, { min: 1, max: 86_400 }) * 1000,
    startTimeoutMs: r.number("KAFKA_ADMIN_TIMEOUT_S", 60, { min: 1, max: 3600 }) * 1000,
    logLevel: r.oneOf("LOG_LEVEL", "info", ["debug", "info", "warn", "error"] as const),
    toAlertSystemTopic: readTopic(r, "TOPIC_TO_ALERT_SYSTEM", TOPIC_TO_ALERT_SYSTEM),
    toNotifierTopic: readTopic(r, "TOPIC_TO_NOTIFIER", TOPIC_TO_NOTIFIER),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9106"),
    kafkaSecurity: readKafkaSecurity(r),
  };
}
