/** The notifier service: `to-notifier` → {@linkcode Notifier} → SMTP, with its resources. */
import type { AlertMessage } from "../messages/messages.ts";
import { isConfirmationMessage, NotifierMessageSchema } from "../messages/confirmation_message.ts";
import type { Email } from "../domain/email.ts";
import { consentLinksOf } from "./_consent_wiring.ts";
import { createKafkaClient } from "../kafka/kafka_client.ts";
import type { Logger } from "../log/logger.ts";
import { LastSentCache } from "../notify/last_sent_cache.ts";
import { MailCap } from "../notify/mail_cap.ts";
import { MysqlMailCapStore } from "../mysql/mysql_mail_cap_store.ts";
import { SmtpMailer } from "../mail/smtp_mailer.ts";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../metrics/process_metrics.ts";
import { MysqlSentAlertLog } from "../mysql/mysql_sent_alert_log.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { Notifier } from "../notify/notifier.ts";
import type { NotifierConfig } from "./notifier_config.ts";
import { startConsumerService } from "./_consumer_service.ts";
import { NotifierMetrics } from "../notify/notifier_metrics.ts";

/** A running notifier; `stop` finishes the alert in hand, commits it and closes everything. */
export interface RunningNotifier {
  /** The port of `/metrics` and `/healthz`, undefined when METRICS_ADDR=off. */
  readonly metricsPort: number | undefined;
  /** Stops consuming after the alert in hand is committed, then closes SMTP, MySQL and `/metrics`. */
  stop(): Promise<void>;
}

/** Longest pause between two purges of expired alert ids. */
const _MAX_PURGE_INTERVAL_MS = 3_600_000;

/**
 * Starts the notifier: opens MySQL (waiting while it is unreachable, migrating), builds the
 * pooled SMTP mailer and consumes `config.topic` in group `config.groupId`, one
 * {@linkcode Notifier.handle} per alert; offsets are committed only after the alert's mail was
 * accepted and recorded. Malformed alerts and permanently rejected mails go to `<topic>.dlq`,
 * which must exist (kafka-admin creates it); topics are not created here. Expired alert ids are
 * purged at start and periodically. Serves `/metrics` (emails sent, skipped, failures,
 * consumer lag) and `/healthz` (the consumer runs) on `config.metricsAddr`.
 *
 * `beforeCommit` (for fault-injection tests) runs after an alert was handled (mailed and
 * recorded, or skipped) and before its offset is committed; the commit waits for it.
 *
 * @throws when Kafka cannot be joined or the database refuses for a reason other than being down
 * @example
 * ```ts
 * const notifier = await startNotifier(loadNotifierConfig(Deno.env.toObject()), { logger });
 * await notifier.stop();
 * ```
 */
export async function startNotifier(
  config: NotifierConfig,
  { logger, signal, beforeCommit }: {
    logger: Logger;
    signal?: AbortSignal;
    beforeCommit?: (alert: AlertMessage) => Promise<void>;
  },
): Promise<RunningNotifier> {
  await using opened = new AsyncDisposableStack();
  const db = opened.use(
    await openDatabase({ url: config.mysqlUrl, logger, tls: config.mysqlTls, signal }),
  );
  const sentLog = new MysqlSentAlertLog(db);
  const mailer = new SmtpMailer({
    url: config.smtpUrl,
    from: config.mailFrom,
    maxConnections: config.smtpPoolSize,
    logger,
    requireTls: config.smtpRequireTls,
    ...(config.smtpTlsCa !== undefined ? { tlsCa: Deno.readTextFileSync(config.smtpTlsCa) } : {}),
  });
  opened.defer(() => mailer.close());
  const links = consentLinksOf(config.links, logger);
  const notifier = new Notifier({
    mailer,
    unsubscribeUrl: (email) => links.unsubscribeUrl(email as Email),
    sentLog,
    lastSent: new LastSentCache({ max: config.lastSentCacheSize, ttlMs: config.lastSentTtlMs }),
    cap: new MailCap({
      store: new MysqlMailCapStore(db),
      maxPerHour: config.maxMailsPerHourPerAddress,
    }),
    logger,
  });
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new NotifierMetrics(registry);
  const purge = async () => {
    try {
      const purged = await sentLog.purge(config.sentAlertRetentionMs);
      if (purged > 0) logger.info("expired alert ids purged", { purged });
    } catch (err) {
      logger.warn("alert id purge failed", { err });
    }
  };
  await purge();
  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: config.clientId,
    logger,
    security: config.kafkaSecurity,
  });
  const { metricsPort } = await startConsumerService(opened, {
    consumer: {
      kafka,
      groupId: config.groupId,
      topic: config.topic,
      schema: NotifierMessageSchema,
      logger,
      concurrency: config.concurrency,
      // One dedup read per chunk of messages instead of one per alert.
      beforeChunk: (messages) => notifier.prefetch(messages.map((m) => m.value)),
      afterChunk: (messages) => notifier.forget(messages.map((m) => m.value)),
      retry: { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs },
      handler: async ({ value }) => {
        try {
          metrics.recordOutcome(await notifier.handle(value));
        } catch (err) {
          metrics.recordFailure(err);
          throw err;
        }
        if (!isConfirmationMessage(value)) await beforeCommit?.(value);
      },
    },
    registry,
    metricsAddr: config.metricsAddr,
    logger,
  });
  const purgeTimer = setInterval(
    purge,
    Math.min(config.sentAlertRetentionMs / 4, _MAX_PURGE_INTERVAL_MS),
  );
  opened.defer(() => clearInterval(purgeTimer));
  logger.info("notifier started", {
    topic: config.topic,
    groupId: config.groupId,
    smtpPoolSize: config.smtpPoolSize,
    concurrency: config.concurrency,
    maxMailsPerHourPerAddress: config.maxMailsPerHourPerAddress,
  });
  const running = opened.move();
  return {
    metricsPort,
    async stop() {
      await running.disposeAsync();
      logger.info("notifier stopped");
    },
  };
}
