import {
  readKafkaBrokers,
  readLogLevel,
  readMetricsAddr,
  readMysqlUrl,
  readTopic,
} from "../config/common_config.ts";
import { TOPIC_TO_ALERT_SYSTEM } from "../messages/topics.ts";
import { ConfigError, type Env, EnvReader } from "../config/env.ts";
import {
  KAFKA_SECURITY_ENV,
  type KafkaSecurity,
  MYSQL_SECURITY_ENV,
  type MysqlTls,
  readKafkaSecurity,
  readMysqlTls,
} from "../config/security_config.ts";
import type { LogLevel } from "../log/logger.ts";
import { parsePriceScripts } from "../prices/synthetic_price_source.ts";

/** Where prices come from. */
export type PriceSourceSpec =
  | { kind: "yahoo"; timeoutMs: number }
  | { kind: "synthetic"; seed: string; scripts: Record<string, number[]>; volatility: number }
  | { kind: "replay"; file: string };

/** Configuration of the collector (see {@linkcode loadCollectorConfig}). */
export interface CollectorConfig {
  /** `MYSQL_URL`: the database, e.g. `mysql://root@127.0.0.1:3306/tickerwatch` (the default). */
  mysqlUrl: string;
  /** `KAFKA_BROKERS`: bootstrap `host:port` list; default the three local brokers. */
  kafkaBrokers: string[];
  /** `LOG_LEVEL`: lowest level logged; default "info". */
  logLevel: LogLevel;
  /** Time between cycles in ms, from `COLLECT_INTERVAL` in seconds (default 180). */
  intervalMs: number;
  /** `PRICE_SOURCE` and its settings; default Yahoo Finance with a 10 s timeout. */
  source: PriceSourceSpec;
  /** `BREAKER_FAILURES`: consecutive source failures that open the breaker; default 5. */
  breakerFailures: number;
  /** How long the open breaker waits, in ms, from `BREAKER_COOLDOWN_S` (default 60). */
  breakerCooldownMs: number;
  /** `RETENTION_KEEP_PER_TICKER`: newest quotes kept per ticker; default 1,000. */
  keepPerTicker: number;
  /** `RETENTION_DROP_UNFOLLOWED`: delete quotes of tickers nobody follows; default true. */
  dropUnfollowed: boolean;
  /** Where update messages go; default `to-alert-system`. */
  topic: string;
  /** `/metrics` and `/healthz` address, or null when METRICS_ADDR=off. */
  metricsAddr: string | null;
  /** `KAFKA_TLS*`, `KAFKA_SASL_*`: TLS and SASL to the brokers; both null: plaintext. */
  kafkaSecurity: KafkaSecurity;
  /** `MYSQL_TLS*`: TLS to MySQL, null: plaintext. */
  mysqlTls: MysqlTls | null;
}

/** Environment variables the collector reads. */
export const COLLECTOR_ENV = [
  "MYSQL_URL",
  "KAFKA_BROKERS",
  "LOG_LEVEL",
  "COLLECT_INTERVAL",
  "PRICE_SOURCE",
  "YAHOO_TIMEOUT_MS",
  "SYNTHETIC_SEED",
  "SYNTHETIC_VOLATILITY",
  "PRICE_SCRIPT",
  "BREAKER_FAILURES",
  "BREAKER_COOLDOWN_S",
  "RETENTION_KEEP_PER_TICKER",
  "RETENTION_DROP_UNFOLLOWED",
  "TOPIC_TO_ALERT_SYSTEM",
  "METRICS_ADDR",
  ...KAFKA_SECURITY_ENV,
  ...MYSQL_SECURITY_ENV,
] as const;

/**
 * Reads the collector's configuration. `PRICE_SOURCE` is `yahoo` (default), `synthetic` or
 * `replay:<csv file>`; `PRICE_SCRIPT` (synthetic only) fixes paths, e.g. `AAPL=100,120;MSFT=50`.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadCollectorConfig(env: Env): CollectorConfig {
  const r = new EnvReader(env);
  const rawSource = r.string("PRICE_SOURCE", "yahoo");
  let source: PriceSourceSpec;
  if (rawSource === "yahoo") {
    source = { kind: "yahoo", timeoutMs: r.int("YAHOO_TIMEOUT_MS", 10_000, { min: 100 }) };
  } else if (rawSource === "synthetic") {
    let scripts: Record<string, number[]> = {};
    try {
      scripts = parsePriceScripts(r.string("PRICE_SCRIPT", ""));
    } catch (err) {
      throw new ConfigError("PRICE_SCRIPT", (err as Error).message);
    }
    source = {
      kind: "synthetic",
      seed: r.string("SYNTHETIC_SEED", "42"),
      scripts,
      volatility: r.number("SYNTHETIC_VOLATILITY", 0.02, { min: 0, max: 0.5 }),
    };
  } else if (rawSource.startsWith("replay:") && rawSource.length > "replay:".length) {
    source = { kind: "replay", file: rawSource.slice("replay:".length) };
  } else {
    throw new ConfigError(
      "PRICE_SOURCE",
      `must be yahoo, synthetic or replay:<csv file>, got "${rawSource}"`,
    );
  }
  return {
    mysqlUrl: readMysqlUrl(r),
    kafkaBrokers: readKafkaBrokers(r),
    logLevel: readLogLevel(r),
    intervalMs: r.number("COLLECT_INTERVAL", 180, { min: 0.1, max: 86_400 }) * 1000,
    source,
    breakerFailures: r.int("BREAKER_FAILURES", 5, { min: 1, max: 1000 }),
    breakerCooldownMs: r.number("BREAKER_COOLDOWN_S", 60, { min: 0.1, max: 86_400 }) * 1000,
    keepPerTicker: r.int("RETENTION_KEEP_PER_TICKER", 1_000, { min: 1, max: 10_000_000 }),
    dropUnfollowed: r.bool("RETENTION_DROP_UNFOLLOWED", true),
    topic: readTopic(r, "TOPIC_TO_ALERT_SYSTEM", TOPIC_TO_ALERT_SYSTEM),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9103"),
    kafkaSecurity: readKafkaSecurity(r),
    mysqlTls: readMysqlTls(r),
  };
}
