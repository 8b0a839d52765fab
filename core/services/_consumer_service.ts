/** What every consuming service runs around its handler. */
import type { Registry } from "prom-client";
import { consumerLagGauge, watchConsumerLag } from "../kafka/consumer_lag.ts";
import { ConsumerRunner, type ConsumerRunnerOptions } from "../kafka/consumer_runner.ts";
import type { Logger } from "../log/logger.ts";
import { serveMetrics } from "../metrics/metrics_server.ts";

/** A started consumer and the port of its `/metrics` (undefined when metrics are off). */
export interface ConsumerService<T> {
  readonly runner: ConsumerRunner<T>;
  readonly metricsPort: number | undefined;
}

/**
 * Starts a {@linkcode ConsumerRunner}, a consumer-lag watch that feeds
 * `tickerwatch_consumer_lag` in `registry`, and `/metrics` + `/healthz` (ready while the consumer
 * runs) on `metricsAddr`. Each is put on `opened` as soon as it exists, so disposing `opened`
 * stops them in reverse order, also when a later step of the start fails.
 */
export async function startConsumerService<T>(
  opened: AsyncDisposableStack,
  { consumer, registry, metricsAddr, logger }: {
    consumer: ConsumerRunnerOptions<T>;
    registry: Registry;
    metricsAddr: string | null;
    logger: Logger;
  },
): Promise<ConsumerService<T>> {
  const runner = opened.use(await ConsumerRunner.start(consumer));
  const lag = watchConsumerLag({
    kafka: consumer.kafka,
    groupId: consumer.groupId,
    topic: consumer.topic,
    onLag: consumerLagGauge(registry, consumer.topic),
    logger,
  });
  opened.defer(() => lag.stop());
  const metricsServer = await serveMetrics(metricsAddr, {
    registry,
    ready: () => runner.running,
    logger,
  });
  if (metricsServer) opened.use(metricsServer);
  return { runner, metricsPort: metricsServer?.port };
}
