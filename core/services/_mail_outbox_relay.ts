/** Publishes the mails commands queued in `mail_outbox` to the notifier's topic. */
import { BatchingProducer } from "../kafka/batching_producer.ts";
import type { Kafka } from "kafkajs";
import type { Logger } from "../log/logger.ts";
import type { MysqlMailOutbox } from "../mysql/mysql_mail_outbox.ts";

/** A running relay; `stop` waits for the round in hand and closes the producer. */
export interface MailOutboxRelay {
  /** Stops the timer, waits for the round in hand, closes the producer. */
  stop(): Promise<void>;
}

/** Published rows are kept this long, then purged. */
const _RETENTION_MS = 7 * 86_400_000;

/**
 * Every `intervalMs`, publishes the pending rows of `outbox` on `topic` (key = recipient) and
 * marks them published once Kafka acknowledged them. The producer connects on the first round
 * that needs it, so the command server starts without Kafka; while Kafka is unreachable the rows
 * wait (logged) and go out later. A crash between the acknowledgement and the mark publishes a
 * row again: the notifier mails the same link with the same Message-ID.
 */
export function startMailOutboxRelay(
  { outbox, kafka, topic, logger, intervalMs = 500 }: {
    outbox: MysqlMailOutbox;
    kafka: Kafka;
    topic: string;
    logger: Logger;
    intervalMs?: number;
  },
): MailOutboxRelay {
  let producer: BatchingProducer | undefined;
  let round: Promise<void> = Promise.resolve();
  let lastPurge = 0;
  let failing = false;
  const publish = async () => {
    const rows = await outbox.pending(100);
    if (Date.now() - lastPurge > 3_600_000) {
      lastPurge = Date.now();
      await outbox.purge(_RETENTION_MS);
    }
    if (rows.length === 0) return;
    producer ??= await BatchingProducer.connect({ kafka, logger });
    await Promise.all(
      rows.map((r) => producer!.send(topic, { key: r.recipient, value: r.message })),
    );
    await outbox.markPublished(rows.map((r) => r.id));
    logger.info("confirmation mails queued for the notifier", { count: rows.length, topic });
  };
  let busy = false;
  const flush = () => {
    if (busy) return round;
    busy = true;
    round = round.then(publish).then(() => {
      if (failing) logger.info("mail outbox published again");
      failing = false;
    }, (err) => {
      if (!failing) logger.warn("mail outbox not published, retrying", { err });
      failing = true;
    }).finally(() => {
      busy = false;
    });
    return round;
  };
  const timer = setInterval(flush, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await round;
      await producer?.close();
    },
  };
}
