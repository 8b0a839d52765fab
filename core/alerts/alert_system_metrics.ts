/** The alert system's Prometheus metrics. */
import { Counter, Histogram, type Registry } from "prom-client";
import type { UpdateReport } from "./alert_system.ts";

/** Evaluation time buckets in seconds: 5 ms to 30 s. */
const _BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Registers on `registry` the alert system's metrics and records updates into them:
 * `tickerwatch_alert_system_updates_total`, `tickerwatch_alert_system_alerts_published_total`,
 * `tickerwatch_alert_system_update_failures_total` and
 * `tickerwatch_alert_system_evaluation_seconds` (evaluate, publish, store the state).
 *
 * @example
 * ```ts
 * const metrics = new AlertSystemMetrics(registry);
 * metrics.recordUpdate(await alertSystem.handleUpdate(update));
 * ```
 */
export class AlertSystemMetrics {
  readonly #updates;
  readonly #alerts;
  readonly #failures;
  readonly #seconds;

  constructor(registry: Registry) {
    this.#updates = new Counter({
      name: "tickerwatch_alert_system_updates_total",
      help: "Price updates processed (evaluated, alerts acknowledged, state stored).",
      registers: [registry],
    });
    this.#alerts = new Counter({
      name: "tickerwatch_alert_system_alerts_published_total",
      help: "Alerts published on the notifier topic.",
      registers: [registry],
    });
    this.#failures = new Counter({
      name: "tickerwatch_alert_system_update_failures_total",
      help: "Attempts to process an update that failed (the update is retried).",
      registers: [registry],
    });
    this.#seconds = new Histogram({
      name: "tickerwatch_alert_system_evaluation_seconds",
      help: "Time to process one update: evaluate thresholds, publish alerts, store the state.",
      buckets: _BUCKETS,
      registers: [registry],
    });
  }

  /** Records a processed update. */
  recordUpdate(report: UpdateReport): void {
    this.#updates.inc();
    this.#alerts.inc(report.alerts);
    this.#seconds.observe(report.millis / 1000);
  }

  /** Records a failed attempt. */
  recordFailure(): void {
    this.#failures.inc();
  }
}
