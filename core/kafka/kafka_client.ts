/** Creating a kafkajs client whose own log lines go to our {@linkcode Logger}. */
import { Kafka, logLevel as KafkaLogLevel } from "kafkajs";
import type { KafkaConfig, LogEntry, SASLOptions } from "kafkajs";
import type { KafkaSecurity } from "../config/security_config.ts";
import type { Logger } from "../log/logger.ts";
// Stops kafkajs's request queues from re-arming a 1 ms timer forever (see the module).
import "./request_queue_timer.ts";

/** Options of {@linkcode createKafkaClient}. */
export interface KafkaClientOptions {
  /** Bootstrap brokers as `host:port`, e.g. `["127.0.0.1:19092"]`. */
  brokers: readonly string[];
  /** Client id sent to the brokers (shows in their logs and quotas). */
  clientId: string;
  /** Where kafkajs's log lines go (as `component: "kafkajs"`). */
  logger: Logger;
  /** Lowest kafkajs level passed on; default "warn" (kafkajs is chatty at info). */
  logLevel?: "error" | "warn" | "info" | "debug";
  /** TCP connect timeout in ms; default 3000. */
  connectionTimeoutMs?: number;
  /** Request timeout in ms; default 30000. */
  requestTimeoutMs?: number;
  /** TLS and SASL to the brokers; absent: plaintext without authentication. */
  security?: KafkaSecurity;
}

const _LEVELS = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

/**
 * Creates a kafkajs client. Its log entries are written through `logger` with the kafkajs
 * namespace and fields (broker, error, …) as structured fields.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClient({
 *   brokers: ["127.0.0.1:19092"],
 *   clientId: "notifier",
 *   logger: createLogger("notifier"),
 * });
 * ```
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    logLevel: _LEVELS[options.logLevel ?? "warn"],
    logCreator: () => (entry: LogEntry) => _forward(log, entry),
    ...kafkaSecurityOptions(options.security ?? { tls: null, sasl: null }),
  });
}

/**
 * The kafkajs `ssl` and `sasl` options for `security`, with the PEM files read.
 *
 * @throws {Error} when a PEM file cannot be read
 */
export function kafkaSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, "ssl" | "sasl"> {
  const out: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  const { tls, sasl } = security;
  if (tls) {
    const read = (path: string) => Deno.readTextFileSync(path);
    out.ssl = {
      rejectUnauthorized: tls.verify,
      ...(tls.caFile !== undefined ? { ca: [read(tls.caFile)] } : {}),
      ...(tls.certFile !== undefined ? { cert: read(tls.certFile) } : {}),
      ...(tls.keyFile !== undefined ? { key: read(tls.keyFile) } : {}),
    };
  }
  if (sasl) {
    out.sasl = {
      mechanism: sasl.mechanism,
      username: sasl.username,
      password: sasl.password,
    } as SASLOptions;
  }
  return out;
}

function _forward(log: Logger, { namespace, level, log: content }: LogEntry): void {
  const { message, timestamp: _ts, ...fields } = content;
  const msg = namespace ? `${namespace}: ${message}` : message;
  switch (level) {
    case KafkaLogLevel.ERROR:
      return log.error(msg, fields);
    case KafkaLogLevel.WARN:
      return log.warn(msg, fields);
    case KafkaLogLevel.INFO:
      return log.info(msg, fields);
    default:
      return log.debug(msg, fields);
  }
}
