import { createKafkaClient } from "../kafka/kafka_client.ts";
import { BatchingProducer } from "../kafka/batching_producer.ts";
import type { Logger } from "../log/logger.ts";
import { Registry } from "prom-client";
import { serveMetrics } from "../metrics/metrics_server.ts";
import { registerProcessMetrics } from "../metrics/process_metrics.ts";
import { MysqlQuoteStore } from "../mysql/mysql_quote_store.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { CircuitBreaker } from "../runtime/circuit_breaker.ts";
import { GuardedPriceSource } from "../collector/guarded_price_source.ts";
import { UnknownTickerMarking } from "../collector/unknown_ticker_marking.ts";
import { MysqlUnknownTickers } from "../mysql/mysql_unknown_tickers.ts";
import type { PriceSource } from "../collector/price_source.ts";
import { delay } from "../runtime/shutdown.ts";
import type { Stoppable } from "../runtime/run_service.ts";
import { Collector } from "../collector/collector.ts";
import { CollectorMetrics } from "../collector/collector_metrics.ts";
import type { CollectorConfig, PriceSourceSpec } from "./collector_config.ts";

/**
 * Builds the price source a configuration names. Each source's module is loaded only when named:
 * a collector on synthetic or replayed prices never loads yahoo-finance2.
 */
export async function createPriceSource(
  spec: PriceSourceSpec,
  logger: Logger,
): Promise<PriceSource> {
  switch (spec.kind) {
    case "yahoo": {
      const { YahooPriceSource } = await import("../prices/yahoo_price_source.ts");
      return new YahooPriceSource({ timeoutMs: spec.timeoutMs, logger });
    }
    case "synthetic": {
      const { SyntheticPriceSource } = await import("../prices/synthetic_price_source.ts");
      return new SyntheticPriceSource({
        seed: spec.seed,
        scripts: spec.scripts,
        volatility: spec.volatility,
      });
    }
    case "replay": {
      const { ReplayPriceSource } = await import("../prices/replay_price_source.ts");
      return await ReplayPriceSource.fromFile(spec.file);
    }
  }
}

/**
 * Starts the collector: a cycle at once, then one every interval; with `once`, a single cycle
 * and `done` resolves. A failed cycle (database, Kafka) is logged and the next one runs on time.
 * Unless `once`, serves `/metrics` and `/healthz` (ready while the last cycle did not fail) on
 * `config.metricsAddr`.
 */
export async function startCollector(
  config: CollectorConfig,
  { logger, signal, once = false, source: givenSource }: {
    logger: Logger;
    signal?: AbortSignal;
    once?: boolean;
    /** Overrides the configured source (tests). */
    source?: PriceSource;
  },
): Promise<
  Stoppable & { collector: Collector; breaker: CircuitBreaker; metricsPort: number | undefined }
> {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new CollectorMetrics(registry);
  const db = await openDatabase({ url: config.mysqlUrl, logger, tls: config.mysqlTls, signal });
  const kafka = createKafkaClient({
    brokers: config.kafkaBrokers,
    clientId: "collector",
    logger,
    security: config.kafkaSecurity,
  });
  const producer = await BatchingProducer.connect({ kafka, logger });
  const breaker = new CircuitBreaker({
    name: "price-source",
    failureThreshold: config.breakerFailures,
    cooldownMs: config.breakerCooldownMs,
    onStateChange: ({ from, to, failures }) => {
      metrics.setBreakerState(to);
      logger[to === "open" ? "warn" : "info"]("price source breaker changed state", {
        from,
        to,
        failures,
      });
    },
  });
  const source = new UnknownTickerMarking({
    source: new GuardedPriceSource({
      source: givenSource ?? await createPriceSource(config.source, logger),
      breaker,
    }),
    unknownTickers: new MysqlUnknownTickers(db),
    logger,
  });
  const collector = new Collector({
    store: new MysqlQuoteStore(db),
    source,
    publisher: producer,
    logger,
    keepPerTicker: config.keepPerTicker,
    dropUnfollowed: config.dropUnfollowed,
    topic: config.topic,
  });
  const stopping = new AbortController();
  let lastCycleFailed = false;
  const loop = async () => {
    for (;;) {
      const started = Date.now();
      try {
        metrics.recordCycle(await collector.runCycle());
        lastCycleFailed = false;
      } catch (err) {
        metrics.recordFailure();
        lastCycleFailed = true;
        if (once) throw err;
        logger.error("cycle failed", { err });
      }
      if (once) return;
      try {
        await delay(Math.max(0, config.intervalMs - (Date.now() - started)), stopping.signal);
      } catch {
        return; // stopping
      }
    }
  };
  const done = loop();
  const metricsServer = once ? undefined : await serveMetrics(config.metricsAddr, {
    registry,
    ready: () => !lastCycleFailed,
    logger,
  });
  return {
    collector,
    breaker,
    metricsPort: metricsServer?.port,
    ...(once ? { done } : {}),
    async stop() {
      await metricsServer?.close();
      stopping.abort();
      await done.catch(() => {});
      await producer.close();
      await db.close();
      logger.info("collector stopped", { cycles: collector.cycles });
    },
  };
}
