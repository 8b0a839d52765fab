/** Prometheus metrics of the Kafka cluster as kafka-admin sees it. */
import { Counter, Gauge, type Registry } from "prom-client";
import type { ClusterPicture } from "./topic_admin.ts";

/**
 * Registers on `registry` `tickerwatch_kafka_brokers_up`,
 * `tickerwatch_kafka_under_replicated_partitions`, `tickerwatch_kafka_offline_partitions` and
 * `tickerwatch_kafka_describe_failures_total`, set from each {@linkcode ClusterPicture}.
 *
 * @example
 * ```ts
 * const metrics = new ClusterMetrics(registry);
 * metrics.record(await describeCluster(admin));
 * ```
 */
export class ClusterMetrics {
  readonly #brokers;
  readonly #underReplicated;
  readonly #offline;
  readonly #failures;

  constructor(registry: Registry) {
    this.#brokers = new Gauge({
      name: "tickerwatch_kafka_brokers_up",
      help: "Live brokers in the cluster's metadata at the last look.",
      registers: [registry],
    });
    this.#underReplicated = new Gauge({
      name: "tickerwatch_kafka_under_replicated_partitions",
      help: "Partitions with fewer in-sync replicas than replicas at the last look.",
      registers: [registry],
    });
    this.#offline = new Gauge({
      name: "tickerwatch_kafka_offline_partitions",
      help: "Partitions without a leader at the last look.",
      registers: [registry],
    });
    this.#failures = new Counter({
      name: "tickerwatch_kafka_describe_failures_total",
      help: "Looks at the cluster that failed (no broker answered).",
      registers: [registry],
    });
  }

  /** Sets the gauges from `picture`. */
  record(picture: ClusterPicture): void {
    this.#brokers.set(picture.brokers.length);
    this.#underReplicated.set(picture.underReplicated);
    this.#offline.set(picture.offline);
  }

  /** Counts a failed look. */
  recordFailure(): void {
    this.#failures.inc();
  }
}
