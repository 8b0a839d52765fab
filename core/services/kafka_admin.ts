/** kafka-admin: creates tickerwatch's topics, then watches the cluster. */
import type { Admin } from "kafkajs";
import type { Logger } from "../log/logger.ts";
import { Registry } from "prom-client";
import { serveMetrics } from "../metrics/metrics_server.ts";
import { registerProcessMetrics } from "../metrics/process_metrics.ts";
import type { Stoppable } from "../runtime/run_service.ts";
import { delay } from "../runtime/shutdown.ts";
import { retry } from "../runtime/retry.ts";
import { ClusterMetrics } from "../kafka/cluster_metrics.ts";
import { createKafkaClient } from "../kafka/kafka_client.ts";
import type { KafkaAdminConfig } from "./kafka_admin_config.ts";
import {
  describeCluster,
  ensureTopics,
  logClusterPicture,
  type TopicSpec,
} from "../kafka/topic_admin.ts";
import { dlqTopicOf } from "../messages/topics.ts";

/** The four topics kafka-admin ensures: both topics of `config` and their dead-letter topics. */
export function topicSpecsOf(config: KafkaAdminConfig): TopicSpec[] {
  const topic = (name: string, partitions: number): TopicSpec => ({
    topic: name,
    partitions,
    replicationFactor: config.replicationFactor,
    minInsyncReplicas: config.minInsyncReplicas,
  });
  return [
    topic(config.toAlertSystemTopic, config.toAlertSystemPartitions),
    topic(dlqTopicOf(config.toAlertSystemTopic), config.toAlertSystemPartitions),
    topic(config.toNotifierTopic, config.toNotifierPartitions),
    topic(dlqTopicOf(config.toNotifierTopic), config.toNotifierPartitions),
  ];
}

/**
 * Starts kafka-admin: connects (retrying for `config.startTimeoutMs`), creates the missing
 * topics, raises the partitions of an existing one that has fewer than configured (never
 * lowers them: a warning when it has more) and logs their partitions; then logs the cluster picture (brokers, controller, every
 * partition's leader, replicas and ISR, warnings for under-replicated and offline partitions)
 * at once and every `config.monitorIntervalMs`, and serves `/metrics` (brokers up,
 * under-replicated and offline partitions) and `/healthz` (the last look succeeded) on
 * `config.metricsAddr`. With `once`, it serves no metrics and `done` settles after the first
 * picture: it rejects when the cluster could not be described.
 *
 * @throws the kafkajs error when the cluster cannot be reached in time or refuses the topics
 * @example
 * ```ts
 * const admin = await startKafkaAdmin(config, { logger, once: true });
 * await admin.done;
 * await admin.stop();
 * ```
 */
export async function startKafkaAdmin(
  config: KafkaAdminConfig,
  { logger, signal, once = false }: { logger: Logger; signal?: AbortSignal; once?: boolean },
): Promise<Stoppable & { metricsPort: number | undefined }> {
  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: config.clientId,
    logger,
    security: config.kafkaSecurity,
  });
  const admin = kafka.admin();
  try {
    await _connectWithin(admin, config.startTimeoutMs, signal, logger);
    const specs = topicSpecsOf(config);
    const { created, existing, raised } = await ensureTopics(admin, specs, { logger });
    logger.info("topics ensured", {
      created,
      existing,
      raised: raised.map((r) => `${r.topic}: ${r.from} → ${r.to}`),
    });
    const ours = await describeCluster(admin, specs.map((s) => s.topic));
    for (const t of ours.topics) {
      logger.info("topic partitions", { topic: t.topic, partitions: t.partitions.length });
    }
  } catch (err) {
    await admin.disconnect().catch(() => {});
    throw err;
  }

  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new ClusterMetrics(registry);
  let healthy = false;
  const look = async (): Promise<void> => {
    try {
      const picture = await describeCluster(admin);
      metrics.record(picture);
      logClusterPicture(logger, picture);
      healthy = true;
    } catch (err) {
      metrics.recordFailure();
      healthy = false;
      logger.error("cannot describe the cluster", { error: err });
      if (once) throw err;
    }
  };

  const stopping = new AbortController();
  const loop = async () => {
    await look();
    while (!once) {
      try {
        await delay(config.monitorIntervalMs, stopping.signal);
      } catch {
        return; // stopping
      }
      await look();
    }
  };
  const done = loop();
  const metricsServer = once ? undefined : await serveMetrics(config.metricsAddr, {
    registry,
    ready: () => healthy,
    logger,
  });
  return {
    metricsPort: metricsServer?.port,
    ...(once ? { done } : {}),
    async stop() {
      await metricsServer?.close();
      stopping.abort();
      await done.catch(() => {});
      await admin.disconnect().catch(() => {});
    },
  };
}

/**
 * Connects `admin`, retrying any failure with backoff (waits under a second) until `timeoutMs`
 * passed or `signal` aborted.
 */
async function _connectWithin(
  admin: Admin,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  logger: Logger,
): Promise<void> {
  await retry(() => admin.connect(), {
    timeoutMs,
    retriable: () => true,
    baseMs: 250,
    capMs: 1_000,
    ...(signal ? { signal } : {}),
    onRetry: ({ attempt, waitMs, error }) =>
      logger.warn("cluster not reachable, retrying", {
        attempt,
        retryInMs: Math.round(waitMs),
        err: error,
      }),
  });
}
