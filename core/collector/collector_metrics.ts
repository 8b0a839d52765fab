/** The collector's Prometheus metrics. */
import { Counter, Gauge, type Registry } from "prom-client";
import type { CircuitState } from "../runtime/circuit_breaker.ts";
import type { CycleReport } from "./collector.ts";

/** The value of `tickerwatch_collector_breaker_state` per breaker state. */
export const BREAKER_STATE_VALUE: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  "half-open": 1,
  open: 2,
};

/**
 * Registers on `registry` the collector's metrics and records cycles into them:
 * `tickerwatch_collector_cycles_total{result}` (ok, no_subscriptions, breaker_open,
 * source_failed), `tickerwatch_collector_cycle_failures_total` (a database or Kafka fault ended
 * the cycle), `tickerwatch_collector_quotes_stored_total`,
 * `tickerwatch_collector_unknown_symbols_total`, `tickerwatch_collector_stale_quotes_total`
 * (quotes whose market time had not moved), `tickerwatch_collector_partial_fetches_total`
 * (cycles in which part of the fetch failed, counted once per cycle) and
 * `tickerwatch_collector_breaker_state` (0 closed, 1 half-open, 2 open).
 *
 * @example
 * ```ts
 * const metrics = new CollectorMetrics(registry);
 * metrics.recordCycle(await collector.runCycle());
 * ```
 */
export class CollectorMetrics {
  readonly #cycles;
  readonly #failures;
  readonly #quotes;
  readonly #unknown;
  readonly #stale;
  readonly #partial;
  readonly #breaker;

  constructor(registry: Registry) {
    this.#cycles = new Counter({
      name: "tickerwatch_collector_cycles_total",
      help: "Collection cycles finished, by result (ok or why no quotes were stored).",
      labelNames: ["result"],
      registers: [registry],
    });
    this.#failures = new Counter({
      name: "tickerwatch_collector_cycle_failures_total",
      help: "Collection cycles ended by a database or Kafka fault.",
      registers: [registry],
    });
    this.#quotes = new Counter({
      name: "tickerwatch_collector_quotes_stored_total",
      help: "Quotes stored in MySQL.",
      registers: [registry],
    });
    this.#unknown = new Counter({
      name: "tickerwatch_collector_unknown_symbols_total",
      help: "Followed tickers the price source did not know, summed over cycles.",
      registers: [registry],
    });
    this.#stale = new Counter({
      name: "tickerwatch_collector_stale_quotes_total",
      help: "Quotes not stored because their market time had not moved (market closed).",
      registers: [registry],
    });
    this.#partial = new Counter({
      name: "tickerwatch_collector_partial_fetches_total",
      help: "Cycles in which part of the price fetch failed and the rest was kept (once a cycle).",
      registers: [registry],
    });
    this.#breaker = new Gauge({
      name: "tickerwatch_collector_breaker_state",
      help: "State of the price source's circuit breaker: 0 closed, 1 half-open, 2 open.",
      registers: [registry],
    });
  }

  /** Records a finished cycle. */
  recordCycle(report: CycleReport): void {
    this.#cycles.inc({ result: (report.skipped ?? "ok").replaceAll(" ", "_") });
    this.#quotes.inc(report.quotes);
    this.#unknown.inc(report.unknown.length);
    this.#stale.inc(report.stale?.length ?? 0);
    if ((report.notFetched?.length ?? 0) > 0) this.#partial.inc();
  }

  /** Records a cycle that threw. */
  recordFailure(): void {
    this.#failures.inc();
  }

  /** Sets the breaker gauge. */
  setBreakerState(state: CircuitState): void {
    this.#breaker.set(BREAKER_STATE_VALUE[state]);
  }
}
