import { createKafkaClient } from "../kafka/kafka_client.ts";
import { BatchingProducer } from "../kafka/batching_producer.ts";
import { ConsumerRunner } from "../kafka/consumer_runner.ts";
import type { Logger } from "../log/logger.ts";
import { MysqlThresholdEvaluator } from "../mysql/mysql_threshold_evaluator.ts";
import { openDatabase } from "../mysql/open_database.ts";
import type { Stoppable } from "../runtime/run_service.ts";
import { AlertSystem } from "./alert_system.ts";
import type { AlertSystemConfig } from "./alert_system_config.ts";
import { PriceUpdateSchema } from "./messages.ts";

/**
 * Starts the alert system: consumes `to-alert-system` in its group (earliest offset, manual
 * commit after each update's alerts are acknowledged) and publishes alerts on `to-notifier`.
 */
export async function startAlertSystem(
  config: AlertSystemConfig,
  { logger, signal }: { logger: Logger; signal?: AbortSignal },
): Promise<Stoppable> {
  const db = await openDatabase({ url: config.mysqlUrl, logger, ...(signal ? { signal } : {}) });
  const kafka = createKafkaClient({
    brokers: config.kafkaBrokers,
    clientId: "alert-system",
    logger,
  });
  const producer = await BatchingProducer.connect({ kafka, logger });
  const alertSystem = new AlertSystem({
    evaluator: new MysqlThresholdEvaluator(db, {
      mode: config.mode,
      hysteresis: config.hysteresis,
    }),
    publisher: producer,
    logger,
    topic: config.outputTopic,
  });
  const runner = await ConsumerRunner.start({
    kafka,
    groupId: config.groupId,
    topic: config.inputTopic,
    schema: PriceUpdateSchema,
    logger,
    handler: async ({ value }) => {
      await alertSystem.handleUpdate(value);
    },
  });
  logger.info("alert system consuming", {
    topic: config.inputTopic,
    groupId: config.groupId,
    mode: config.mode,
  });
  return {
    async stop() {
      await runner.stop();
      await producer.close();
      await db.close();
      logger.info("alert system stopped");
    },
  };
}
