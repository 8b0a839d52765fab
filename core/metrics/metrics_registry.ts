/** A set of metrics rendered together in the Prometheus text exposition format 0.0.4. */
import { validateNames } from "./_exposition.ts";
import { Counter, type MetricOptions } from "./counter.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";

/** The media type of {@linkcode MetricsRegistry.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type _Metric = { readonly name: string; render(): string };

/**
 * Creates and holds a service's metrics; {@linkcode MetricsRegistry.render} writes them all,
 * in the order they were created. Each service builds its own registry (no global one).
 *
 * @example
 * ```ts
 * const registry = new MetricsRegistry();
 * const cycles = registry.counter({ name: "cycles_total", help: "Cycles run." });
 * cycles.inc();
 * registry.render(); // "# HELP cycles_total Cycles run.\n# TYPE cycles_total counter\ncycles_total 1\n"
 * ```
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, _Metric>();
  readonly #collectors: (() => void)[] = [];

  /**
   * A new counter.
   *
   * @throws {TypeError} for an invalid or already registered name
   */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(options, new Counter(options));
  }

  /**
   * A new gauge.
   *
   * @throws {TypeError} for an invalid or already registered name
   */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(options, new Gauge(options));
  }

  /**
   * A new histogram.
   *
   * @throws {TypeError} for an invalid or already registered name, or buckets not increasing
   */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(options, new Histogram(options));
  }

  /** Runs `collect` before every render, e.g. to set a gauge from the current state. */
  onCollect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  /** Every metric in the text exposition format, each ending with a line feed. */
  render(): string {
    for (const collect of this.#collectors) collect();
    let out = "";
    for (const metric of this.#metrics.values()) out += metric.render();
    return out;
  }

  #add<M extends _Metric>(options: MetricOptions<string>, metric: M): M {
    validateNames(options.name, options.labelNames ?? []);
    if (this.#metrics.has(options.name)) {
      throw new TypeError(`Metric ${options.name} is already registered`);
    }
    this.#metrics.set(options.name, metric);
    return metric;
  }
}
