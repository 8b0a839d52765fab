import { createKafkaClient } from "../kafka/kafka_client.ts";
import { BatchingProducer } from "../kafka/batching_producer.ts";
import type { Logger } from "../log/logger.ts";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../metrics/process_metrics.ts";
import { MysqlThresholdEvaluator } from "../mysql/mysql_threshold_evaluator.ts";
import { openDatabase } from "../mysql/open_database.ts";
import type { Stoppable } from "../runtime/run_service.ts";
import { AlertSystem } from "../alerts/alert_system.ts";
import type { AlertSystemConfig } from "./alert_system_config.ts";
import { startConsumerService } from "./_consumer_service.ts";
import { AlertSystemMetrics } from "../alerts/alert_system_metrics.ts";
import { PriceUpdateSchema } from "../messages/messages.ts";

/**
 * Starts the alert system: consumes `to-alert-system` in its group (earliest offset, manual
 * commit after each update's alerts are acknowledged) and publishes alerts on `to-notifier`;
 * serves `/metrics` (updates, alerts, evaluation time, consumer lag) and `/healthz` (the
 * consumer runs) on `config.metricsAddr`. When a step of the start fails, what was opened before
 * it is closed again, in reverse order.
 */
export async function startAlertSystem(
  config: AlertSystemConfig,
  { logger, signal }: { logger: Logger; signal?: AbortSignal },
): Promise<Stoppable & { metricsPort: number | undefined }> {
  await using opened = new AsyncDisposableStack();
  const db = opened.use(
    await openDatabase({ url: config.mysqlUrl, logger, tls: config.mysqlTls, signal }),
  );
  const kafka = createKafkaClient({
    brokers: config.kafkaBrokers,
    clientId: "alert-system",
    logger,
    security: config.kafkaSecurity,
  });
  // An update's alerts are all queued at once: lingering for more would only delay the last
  // request (every request carries a batch of every partition of its broker anyway).
  const producer = opened.use(await BatchingProducer.connect({ kafka, logger, lingerMs: 0 }));
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new AlertSystemMetrics(registry);
  const alertSystem = new AlertSystem({
    evaluator: new MysqlThresholdEvaluator(db, {
      mode: config.mode,
      hysteresis: config.hysteresis,
    }),
    publisher: producer,
    logger,
    topic: config.outputTopic,
  });
  const { metricsPort } = await startConsumerService(opened, {
    consumer: {
      kafka,
      groupId: config.groupId,
      topic: config.inputTopic,
      schema: PriceUpdateSchema,
      logger,
      handler: async ({ value }) => {
        try {
          metrics.recordUpdate(await alertSystem.handleUpdate(value));
        } catch (err) {
          metrics.recordFailure();
          throw err;
        }
      },
    },
    registry,
    metricsAddr: config.metricsAddr,
    logger,
  });
  logger.info("alert system consuming", {
    topic: config.inputTopic,
    groupId: config.groupId,
    mode: config.mode,
  });
  const running = opened.move();
  return {
    metricsPort,
    async stop() {
      await running.disposeAsync();
      logger.info("alert system stopped");
    },
  };
}
