/** Configuration of the notifier executable, read from environment variables. */
import validator from "validator";
import {
  readKafkaBrokers,
  readLogLevel,
  readMetricsAddr,
  readMysqlUrl,
  readTopic,
} from "../config/common_config.ts";
import { ConfigError, type Env, EnvReader } from "../config/env.ts";
import {
  KAFKA_SECURITY_ENV,
  type KafkaSecurity,
  MYSQL_SECURITY_ENV,
  type MysqlTls,
  readKafkaSecurity,
  readMysqlTls,
} from "../config/security_config.ts";
import { TOPIC_TO_NOTIFIER } from "../messages/topics.ts";
import type { LogLevel } from "../log/logger.ts";
import { LINK_ENV, type LinkSettings, readLinkSettings } from "./consent_config.ts";

/** Default SMTP_URL: the local mail catcher. */
export const DEFAULT_SMTP_URL = "smtp://127.0.0.1:2525";

/** Default MAIL_FROM. */
export const DEFAULT_MAIL_FROM = "tickerwatch <alerts@tickerwatch.local>";

/** Default NOTIFIER_GROUP: the original's consumer group. */
export const DEFAULT_NOTIFIER_GROUP = "alert_notifier_group";

/** Validated configuration of the notifier (see {@linkcode loadNotifierConfig}). */
export interface NotifierConfig {
  /** `KAFKA_BROKERS`: bootstrap `host:port` list. */
  brokers: string[];
  /** `KAFKA_CLIENT_ID`: default "notifier". */
  clientId: string;
  /** `TOPIC_TO_NOTIFIER`: the topic consumed; default `to-notifier` (tests use their own). */
  topic: string;
  /** `NOTIFIER_GROUP`: consumer group; default `alert_notifier_group`. */
  groupId: string;
  /** `MYSQL_URL`: where the sent-alert record lives. */
  mysqlUrl: string;
  /**
   * `SMTP_URL` (or `SMTP_URL_FILE`, as it may carry a password): smtp:// or smtps:// server;
   * default `smtp://127.0.0.1:2525`.
   */
  smtpUrl: string;
  /** `SMTP_REQUIRE_TLS`: send only over TLS (STARTTLS must succeed on smtp://); default false. */
  smtpRequireTls: boolean;
  /** `SMTP_TLS_CA`: PEM file of the CA of the SMTP server's certificate; unset: system CAs. */
  smtpTlsCa: string | undefined;
  /** `MAIL_FROM`: the From address, with or without a display name. */
  mailFrom: string;
  /**
   * `SMTP_POOL_SIZE`: pooled SMTP connections at most; default 10 (10,000 alerts into a local
   * catcher: about 800 mails/s with 10, 560 with 5).
   */
  smtpPoolSize: number;
  /**
   * `NOTIFIER_CONCURRENCY`: alerts handled at once, over all the partitions this notifier holds
   * (partitions and different recipients in parallel, one recipient's alerts in order); also the
   * most mails a crash can repeat; default 32. 1 handles and commits one by one.
   */
  concurrency: number;
  /**
   * `MAX_MAILS_PER_HOUR_PER_ADDRESS`: alert mails one address gets per hour at most; the alerts
   * beyond are counted and reported in the next mail; default 20, 0 turns the cap off.
   */
  maxMailsPerHourPerAddress: number;
  /** `LAST_SENT_CACHE_SIZE`: conditions the anti-spam cache remembers; default 100 000. */
  lastSentCacheSize: number;
  /** `LAST_SENT_TTL_S` in ms: how long a mailed price suppresses a repeat; default 24 h. */
  lastSentTtlMs: number;
  /** `NOTIFIER_RETRY_INITIAL_MS`: first wait before retrying a failed alert; default 200. */
  retryInitialMs: number;
  /** `NOTIFIER_RETRY_MAX_MS`: longest wait between retries; default 30 000. */
  retryMaxMs: number;
  /** `SENT_ALERT_RETENTION_S` in ms: how long alert ids are remembered; default 7 days. */
  sentAlertRetentionMs: number;
  /** `LOG_LEVEL`: default "info". */
  logLevel: LogLevel;
  /** `METRICS_ADDR`: `/metrics` and `/healthz` address, null when `off`; default 0.0.0.0:9105. */
  metricsAddr: string | null;
  /** `PUBLIC_BASE_URL`, `LINK_SIGNING_KEY`: the unsubscribe link of every alert mail. */
  links: LinkSettings;
  /** `KAFKA_TLS*`, `KAFKA_SASL_*`: TLS and SASL to the brokers; both null: plaintext. */
  kafkaSecurity: KafkaSecurity;
  /** `MYSQL_TLS*`: TLS to MySQL, null: plaintext. */
  mysqlTls: MysqlTls | null;
}

/** Environment variables the notifier reads. */
export const NOTIFIER_ENV = [
  "KAFKA_BROKERS",
  "KAFKA_CLIENT_ID",
  "TOPIC_TO_NOTIFIER",
  "NOTIFIER_GROUP",
  "MYSQL_URL",
  "SMTP_URL",
  "SMTP_URL_FILE",
  "SMTP_REQUIRE_TLS",
  "SMTP_TLS_CA",
  "MAIL_FROM",
  "SMTP_POOL_SIZE",
  "NOTIFIER_CONCURRENCY",
  "MAX_MAILS_PER_HOUR_PER_ADDRESS",
  "LAST_SENT_CACHE_SIZE",
  "LAST_SENT_TTL_S",
  "NOTIFIER_RETRY_INITIAL_MS",
  "NOTIFIER_RETRY_MAX_MS",
  "SENT_ALERT_RETENTION_S",
  "LOG_LEVEL",
  "METRICS_ADDR",
  ...LINK_ENV,
  ...KAFKA_SECURITY_ENV,
  ...MYSQL_SECURITY_ENV,
] as const;

/**
 * Reads and validates the notifier's configuration from `env`.
 *
 * @throws {ConfigError} naming the first invalid variable
 * @example
 * ```ts
 * const config = loadNotifierConfig({ SMTP_URL: "smtp://mail:25" });
 * config.groupId; // "alert_notifier_group"
 * ```
 */
export function loadNotifierConfig(env: Env): NotifierConfig {
  const r = new EnvReader(env);
  const retryInitialMs = r.int("NOTIFIER_RETRY_INITIAL_MS", 200, { min: 1, max: 600_000 });
  return {
    brokers: readKafkaBrokers(r),
    clientId: r.string("KAFKA_CLIENT_ID", "notifier"),
    topic: readTopic(r, "TOPIC_TO_NOTIFIER", TOPIC_TO_NOTIFIER),
    groupId: r.string("NOTIFIER_GROUP", DEFAULT_NOTIFIER_GROUP),
    mysqlUrl: readMysqlUrl(r),
    smtpUrl: r.url("SMTP_URL", DEFAULT_SMTP_URL, ["smtp:", "smtps:"]),
    smtpRequireTls: r.bool("SMTP_REQUIRE_TLS", false),
    smtpTlsCa: r.file("SMTP_TLS_CA"),
    mailFrom: _mailFrom(r.string("MAIL_FROM", DEFAULT_MAIL_FROM)),
    smtpPoolSize: r.int("SMTP_POOL_SIZE", 10, { min: 1, max: 100 }),
    concurrency: r.int("NOTIFIER_CONCURRENCY", 32, { min: 1, max: 1000 }),
    maxMailsPerHourPerAddress: r.int("MAX_MAILS_PER_HOUR_PER_ADDRESS", 20, {
      min: 0,
      max: 1_000_000,
    }),
    lastSentCacheSize: r.int("LAST_SENT_CACHE_SIZE", 100_000, { min: 1, max: 10_000_000 }),
    lastSentTtlMs: r.int("LAST_SENT_TTL_S", 86_400, { min: 0 }) * 1000,
    retryInitialMs,
    retryMaxMs: r.int("NOTIFIER_RETRY_MAX_MS", 30_000, { min: retryInitialMs, max: 3_600_000 }),
    sentAlertRetentionMs: r.int("SENT_ALERT_RETENTION_S", 7 * 86_400, { min: 60 }) * 1000,
    logLevel: readLogLevel(r),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9105"),
    links: readLinkSettings(r),
    kafkaSecurity: readKafkaSecurity(r),
    mysqlTls: readMysqlTls(r),
  };
}

function _mailFrom(raw: string): string {
  if (!validator.isEmail(raw, { allow_display_name: true, allow_ip_domain: false })) {
    throw new ConfigError("MAIL_FROM", `must be an address like "Name <user@host>", got "${raw}"`);
  }
  return raw;
}
