import type { LogLevel } from "../log/logger.ts";
import { ConfigError, type EnvReader } from "./env.ts";

/** Default MYSQL_URL: the local server, database `tickerwatch` (created if missing). */
export const DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306/tickerwatch";

/** MYSQL_URL: a mysql:// URL whose path names the database. */
export function readMysqlUrl(r: EnvReader): string {
  return r.url("MYSQL_URL", DEFAULT_MYSQL_URL, ["mysql:"]);
}

/** LOG_LEVEL: debug, info, warn or error (default info). */
export function readLogLevel(r: EnvReader): LogLevel {
  return r.oneOf("LOG_LEVEL", "info", ["debug", "info", "warn", "error"] as const);
}

/** Default bootstrap list: the three brokers of scripts/kafka_cluster.sh. */
export const DEFAULT_KAFKA_BROKERS = "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092";

/** KAFKA_BROKERS: comma-separated bootstrap `host:port` list (default: the local cluster). */
export function readKafkaBrokers(r: EnvReader): string[] {
  return r.hostPortList("KAFKA_BROKERS", DEFAULT_KAFKA_BROKERS);
}

/**
 * A topic name from `variable` (e.g. TOPIC_TO_NOTIFIER), defaulting to the contract's name; tests
 * and shared clusters use their own names.
 */
export function readTopic(r: EnvReader, variable: string, fallback: string): string {
  const raw = r.string(variable, fallback);
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw)) {
    throw new ConfigError(variable, `must be a Kafka topic name, got "${raw}"`);
  }
  return raw;
}

/**
 * METRICS_ADDR: the `host:port` of the service's `/metrics` and `/healthz` endpoint, or `off`
 * (returned as null) to serve none.
 */
export function readMetricsAddr(r: EnvReader, fallback: string): string | null {
  const raw = r.string("METRICS_ADDR", fallback);
  return raw.toLowerCase() === "off" ? null : r.hostPort("METRICS_ADDR", fallback);
}
