import {
  readKafkaBrokers,
  readLogLevel,
  readMetricsAddr,
  readMysqlUrl,
  readTopic,
} from "../config/common_config.ts";
import { TOPIC_TO_ALERT_SYSTEM, TOPIC_TO_NOTIFIER } from "../messages/topics.ts";
import { type Env, EnvReader } from "../config/env.ts";
import {
  KAFKA_SECURITY_ENV,
  type KafkaSecurity,
  MYSQL_SECURITY_ENV,
  type MysqlTls,
  readKafkaSecurity,
  readMysqlTls,
} from "../config/security_config.ts";
import type { LogLevel } from "../log/logger.ts";
import type { AlertMode } from "../domain/alert_mode.ts";

/** Configuration of the alert system (see {@linkcode loadAlertSystemConfig}). */
export interface AlertSystemConfig {
  /** `MYSQL_URL`: the database, e.g. `mysql://root@127.0.0.1:3306/tickerwatch` (the default). */
  mysqlUrl: string;
  /** `KAFKA_BROKERS`: bootstrap `host:port` list; default the three local brokers. */
  kafkaBrokers: string[];
  /** `LOG_LEVEL`: lowest level logged; default "info". */
  logLevel: LogLevel;
  /** `ALERT_MODE`: `edge` (once per crossing, the default) or `level` (every cycle beyond). */
  mode: AlertMode;
  /** Fraction of the threshold, e.g. 0.005 for 0.5 %. */
  hysteresis: number;
  /** `ALERT_SYSTEM_GROUP`: the Kafka consumer group; default `alert_system_group`. */
  groupId: string;
  /** Consumed; default `to-alert-system`. */
  inputTopic: string;
  /** Alerts go here; default `to-notifier`. */
  outputTopic: string;
  /** `/metrics` and `/healthz` address, or null when METRICS_ADDR=off. */
  metricsAddr: string | null;
  /** `KAFKA_TLS*`, `KAFKA_SASL_*`: TLS and SASL to the brokers; both null: plaintext. */
  kafkaSecurity: KafkaSecurity;
  /** `MYSQL_TLS*`: TLS to MySQL, null: plaintext. */
  mysqlTls: MysqlTls | null;
}

/** Environment variables the alert system reads. */
export const ALERT_SYSTEM_ENV = [
  "MYSQL_URL",
  "KAFKA_BROKERS",
  "LOG_LEVEL",
  "ALERT_MODE",
  "ALERT_HYSTERESIS_PCT",
  "ALERT_SYSTEM_GROUP",
  "TOPIC_TO_ALERT_SYSTEM",
  "TOPIC_TO_NOTIFIER",
  "METRICS_ADDR",
  ...KAFKA_SECURITY_ENV,
  ...MYSQL_SECURITY_ENV,
] as const;

/**
 * Reads the alert system's configuration: `ALERT_MODE` edge (default) or level,
 * `ALERT_HYSTERESIS_PCT` (default 0.5; 0 means plain crossing).
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadAlertSystemConfig(env: Env): AlertSystemConfig {
  const r = new EnvReader(env);
  return {
    mysqlUrl: readMysqlUrl(r),
    kafkaBrokers: readKafkaBrokers(r),
    logLevel: readLogLevel(r),
    mode: r.oneOf("ALERT_MODE", "edge", ["edge", "level"] as const),
    hysteresis: r.number("ALERT_HYSTERESIS_PCT", 0.5, { min: 0, max: 50 }) / 100,
    groupId: r.string("ALERT_SYSTEM_GROUP", "alert_system_group"),
    inputTopic: readTopic(r, "TOPIC_TO_ALERT_SYSTEM", TOPIC_TO_ALERT_SYSTEM),
    outputTopic: readTopic(r, "TOPIC_TO_NOTIFIER", TOPIC_TO_NOTIFIER),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9104"),
    kafkaSecurity: readKafkaSecurity(r),
    mysqlTls: readMysqlTls(r),
  };
}
