/** How far a consumer group is behind on a topic, read with the admin API. */
import type { Admin, Kafka } from "kafkajs";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../log/logger.ts";

/** The lag of one partition: messages after the group's committed offset. */
export interface PartitionLag {
  partition: number;
  lag: number;
}

/**
 * The lag of `groupId` on each partition of `topic`: the high watermark minus the committed
 * offset (minus the log start when the group committed nothing yet).
 *
 * @throws the kafkajs error when the cluster does not answer
 */
export async function fetchConsumerLag(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<PartitionLag[]> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
  return ends
    .map(({ partition, high, low }) => {
      const offset = done.get(partition) ?? -1;
      const from = offset < 0 ? Number(low) : offset;
      return { partition, lag: Math.max(0, Number(high) - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** Options of {@linkcode watchConsumerLag}. */
export interface WatchConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** Receives each reading. */
  onLag: (lags: PartitionLag[]) => void;
  /** Pause between readings; default 15 000 ms. */
  intervalMs?: number;
  logger: Logger;
}

/**
 * Reads the group's lag at once and then every `intervalMs` on its own admin connection
 * (two small requests per reading). A failed reading is logged at debug level and skipped.
 */
export function watchConsumerLag(options: WatchConsumerLagOptions): { stop(): Promise<void> } {
  const { kafka, groupId, topic, onLag, logger } = options;
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  let busy: Promise<void> | undefined;
  const read = () => {
    if (busy) return;
    busy = (async () => {
      try {
        await (connected ??= admin.connect());
        onLag(await fetchConsumerLag(admin, groupId, topic));
      } catch (err) {
        connected = undefined;
        logger.debug("cannot read the consumer lag", { groupId, topic, err });
      } finally {
        busy = undefined;
      }
    })();
  };
  read();
  const timer = setInterval(read, options.intervalMs ?? 15_000);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      await admin.disconnect().catch(() => {});
    },
  };
}

/**
 * Registers on `registry` `tickerwatch_consumer_lag{topic,partition}` and returns an `onLag` for
 * {@linkcode watchConsumerLag} that sets it.
 *
 * @example
 * ```ts
 * watchConsumerLag({ kafka, groupId, topic, logger, onLag: consumerLagGauge(registry, topic) });
 * ```
 */
export function consumerLagGauge(
  registry: Registry,
  topic: string,
): (lags: PartitionLag[]) => void {
  const gauge = new Gauge({
    name: "tickerwatch_consumer_lag",
    help: "Messages of the topic after the consumer group's committed offset, per partition.",
    labelNames: ["topic", "partition"],
    registers: [registry],
  });
  return (lags) => {
    for (const { partition, lag } of lags) gauge.set({ topic, partition }, lag);
  };
}
