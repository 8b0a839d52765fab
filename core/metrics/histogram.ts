/** A Prometheus histogram. */
import { formatLabels, formatValue, header, type Labels, labelValues } from "./_exposition.ts";
import type { MetricOptions } from "./counter.ts";

/** Prometheus's default buckets, in seconds: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Options of {@linkcode Histogram}. */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds of the buckets, increasing; `+Inf` is added. Default {@linkcode DEFAULT_BUCKETS}. */
  buckets?: readonly number[];
}

interface _Series {
  values: string[];
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Counts observations in cumulative buckets (`_bucket{le="…"}`), with their `_sum` and
 * `_count`, one set per combination of label values.
 *
 * @example
 * ```ts
 * const latency = new Histogram({ name: "rpc_seconds", help: "Latency.", labelNames: ["method"] });
 * latency.observe({ method: "LoginUser" }, 0.012);
 * ```
 */
export class Histogram<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets: readonly number[];
  readonly #series = new Map<string, _Series>();

  constructor({ name, help, labelNames = [], buckets = DEFAULT_BUCKETS }: HistogramOptions<L>) {
    if ((labelNames as readonly string[]).includes("le")) {
      throw new TypeError(`Histogram ${name} cannot have a label named "le"`);
    }
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) {
      throw new TypeError(`Histogram ${name} needs increasing buckets`);
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.buckets = buckets.filter((b) => b !== Infinity);
    if (labelNames.length === 0) this.#seriesOf([]);
  }

  /** Records `value` in the series of `labels` (omit them for a histogram without labels). */
  observe(labels: Labels<L> | undefined, value: number): void;
  observe(value: number): void;
  observe(a: Labels<L> | number | undefined, b?: number): void {
    const [labels, value] = typeof a === "number" ? [undefined, a] : [a, b ?? 0];
    const series = this.#seriesOf(labelValues(this.name, this.labelNames, labels));
    const i = this.buckets.findIndex((bound) => value <= bound);
    if (i >= 0) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  /** Count and sum of the series of `labels`. */
  get(labels?: Labels<L>): { count: number; sum: number } {
    const key = JSON.stringify(labelValues(this.name, this.labelNames, labels));
    const series = this.#series.get(key);
    return { count: series?.count ?? 0, sum: series?.sum ?? 0 };
  }

  #seriesOf(values: string[]): _Series {
    const key = JSON.stringify(values);
    let series = this.#series.get(key);
    if (!series) {
      series = { values, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** The metric in the text exposition format. */
  render(): string {
    let out = header(this.name, this.help, "histogram");
    for (const { values, counts, sum, count } of this.#series.values()) {
      const pairs = this.labelNames.map((n, i) => [n, values[i]!] as const);
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i]!;
        const labels = formatLabels([...pairs, ["le", formatValue(bound)]]);
        out += `${this.name}_bucket${labels} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${formatLabels([...pairs, ["le", "+Inf"]])} ${count}\n`;
      out += `${this.name}_sum${formatLabels(pairs)} ${formatValue(sum)}\n`;
      out += `${this.name}_count${formatLabels(pairs)} ${count}\n`;
    }
    return out;
  }
}
