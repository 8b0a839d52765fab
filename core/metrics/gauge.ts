/** A Prometheus gauge. */
import { formatLabels, formatValue, header, type Labels, labelValues } from "./_exposition.ts";
import type { MetricOptions } from "./counter.ts";

/**
 * A value that goes up and down, one per combination of label values. Without labels it is
 * exposed as 0 until set.
 *
 * @example
 * ```ts
 * const lag = new Gauge({ name: "lag", help: "Lag.", labelNames: ["partition"] });
 * lag.set({ partition: 0 }, 12);
 * ```
 */
export class Gauge<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly #series = new Map<string, { values: string[]; value: number }>();

  constructor({ name, help, labelNames = [] }: MetricOptions<L>) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    if (labelNames.length === 0) this.#series.set("[]", { values: [], value: 0 });
  }

  /** Sets the series of `labels` (omit them for a gauge without labels) to `value`. */
  set(labels: Labels<L> | undefined, value: number): void;
  set(value: number): void;
  set(a: Labels<L> | number | undefined, b?: number): void {
    const [labels, value] = typeof a === "number" ? [undefined, a] : [a, b ?? 0];
    const values = labelValues(this.name, this.labelNames, labels);
    this.#series.set(JSON.stringify(values), { values, value });
  }

  /** Adds `by` (default 1; may be negative) to the series of `labels`. */
  inc(labels?: Labels<L>, by = 1): void {
    const values = labelValues(this.name, this.labelNames, labels);
    const key = JSON.stringify(values);
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { values, value: by });
  }

  /** The current value of the series of `labels` (0 when never set). */
  get(labels?: Labels<L>): number {
    return this.#series.get(JSON.stringify(labelValues(this.name, this.labelNames, labels)))
      ?.value ?? 0;
  }

  /** Forgets every labelled series (e.g. before setting the partitions seen now). */
  reset(): void {
    if (this.labelNames.length > 0) this.#series.clear();
    else this.#series.set("[]", { values: [], value: 0 });
  }

  /** The metric in the text exposition format. */
  render(): string {
    let out = header(this.name, this.help, "gauge");
    for (const { values, value } of this.#series.values()) {
      const pairs = this.labelNames.map((n, i) => [n, values[i]!] as const);
      out += `${this.name}${formatLabels(pairs)} ${formatValue(value)}\n`;
    }
    return out;
  }
}
