/** Helpers of the notifier tests: alerts, a topic with its DLQ, a notifier on real services. */
import type { Admin, Kafka } from "kafkajs";
import {
  type AlertMessage,
  BatchingProducer,
  createLogger,
  loadNotifierConfig,
  type NotifierConfig,
  type RunningNotifier,
  startNotifier,
} from "../../core/mod.ts";
import { KAFKA_BROKERS, randomName } from "../_kafka.ts";
import { kafkaTopics } from "../helpers/kafka_topics.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { SmtpCatcher } from "../helpers/smtp_catcher.ts";

/** A valid alert; `overrides` change single fields. */
export function alert(overrides: Partial<AlertMessage> = {}): AlertMessage {
  return {
    version: 1,
    alert_id: crypto.randomUUID().replaceAll("-", ""),
    email: "ann@example.com",
    ticker: "AAPL",
    threshold_value: 150,
    threshold_type: "HIGH",
    value_ticker: 151.2,
    timestamp: "2026-01-05T15:31:02.000Z",
    ...overrides,
  };
}

/** What a notifier test runs against; all of it removed when disposed. */
export interface NotifierServices extends AsyncDisposable {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** A fresh alert topic (with its DLQ). */
  readonly topic: string;
  readonly db: { url: string };
  readonly catcher: SmtpCatcher;
  /** {@linkcode notifierEnv} for these services, with `extra` on top. */
  env(extra?: Record<string, string>): Record<string, string>;
}

/** A random alert topic of `partitions` with its DLQ, a fresh database and an SMTP catcher. */
export async function notifierServices(partitions = 1): Promise<NotifierServices> {
  const topics = await kafkaTopics([{ prefix: "t-notify", partitions, dlq: true }], {
    clientId: "test-notifier",
  });
  const db = freshDatabase();
  const catcher = await SmtpCatcher.start();
  const topic = topics.names[0]!;
  return {
    kafka: topics.kafka,
    admin: topics.admin,
    topic,
    db,
    catcher,
    env: (extra = {}) => notifierEnv({ topic, mysqlUrl: db.url, smtpUrl: catcher.url(), extra }),
    async [Symbol.asyncDispose]() {
      await catcher.stop();
      await topics[Symbol.asyncDispose]();
      await db.drop();
    },
  };
}

/** Produces `values` (alerts or raw strings) on `topic`, keyed by email like the alert system. */
export async function produceAlerts(
  kafka: Kafka,
  topic: string,
  values: (AlertMessage | string)[],
): Promise<void> {
  await using producer = await BatchingProducer.connect({ kafka, maxBatchBytes: 64_000 });
  await Promise.all(values.map((v) =>
    producer.send(topic, {
      key: typeof v === "string" ? "raw" : v.email,
      value: typeof v === "string" ? v : JSON.stringify(v),
    })
  ));
}

/** The environment of a notifier on `topic` with a fresh group, for config or a process. */
export function notifierEnv(
  { topic, mysqlUrl, smtpUrl, extra = {} }: {
    topic: string;
    mysqlUrl: string;
    smtpUrl: string;
    extra?: Record<string, string>;
  },
): Record<string, string> {
  return {
    KAFKA_BROKERS: KAFKA_BROKERS.join(","),
    MYSQL_URL: mysqlUrl,
    SMTP_URL: smtpUrl,
    TOPIC_TO_NOTIFIER: topic,
    NOTIFIER_GROUP: randomName("g-notify"),
    NOTIFIER_RETRY_INITIAL_MS: "100",
    NOTIFIER_RETRY_MAX_MS: "1000",
    METRICS_ADDR: "127.0.0.1:0",
    ...extra,
  };
}

/** A notifier started in this process, with its log lines kept in `lines`. */
export async function startTestNotifier(
  env: Record<string, string>,
): Promise<{ notifier: RunningNotifier; config: NotifierConfig; lines: string[] }> {
  const lines: string[] = [];
  const config = loadNotifierConfig(env);
  const logger = createLogger("notifier", {
    level: "info",
    sink: (line) => {
      lines.push(line);
      if (Deno.env.get("TEST_LOG_LEVEL")) console.error(line);
    },
  });
  const notifier = await startNotifier(config, { logger });
  return { notifier, config, lines };
}

/** The committed offset of `groupId` on partition 0 of `topic` ("-1" when none). */
export async function committedOffset(
  admin: Admin,
  groupId: string,
  topic: string,
  partition = 0,
): Promise<string> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
}
