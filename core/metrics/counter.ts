/** A Prometheus counter. */
import { formatLabels, formatValue, header, type Labels, labelValues } from "./_exposition.ts";

/** What a counter, gauge or histogram is created with. */
export interface MetricOptions<L extends string> {
  /** Metric name, e.g. `tickerwatch_grpc_requests_total`. */
  name: string;
  /** One line describing it (the `# HELP` text). */
  help: string;
  /** Names of its labels; default none. */
  labelNames?: readonly L[];
}

/**
 * A value that only goes up, one per combination of label values. Without labels it is
 * exposed as 0 before the first increment; with labels, a series appears on its first use.
 *
 * @example
 * ```ts
 * const sent = new Counter({ name: "emails_sent_total", help: "Emails sent." });
 * sent.inc();
 * const calls = new Counter({ name: "calls_total", help: "Calls.", labelNames: ["code"] });
 * calls.inc({ code: "OK" }, 2);
 * ```
 */
export class Counter<L extends string = never> {
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

  /**
   * Adds `by` (default 1) to the series of `labels`.
   *
   * @throws {RangeError} when `by` is negative or not finite
   */
  inc(labels?: Labels<L>, by = 1): void {
    if (!(by >= 0) || by === Infinity) {
      throw new RangeError(`Counter ${this.name} cannot be increased by ${by}`);
    }
    const values = labelValues(this.name, this.labelNames, labels);
    const key = JSON.stringify(values);
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { values, value: by });
  }

  /** The current value of the series of `labels` (0 when it never changed). */
  get(labels?: Labels<L>): number {
    const key = JSON.stringify(labelValues(this.name, this.labelNames, labels));
    return this.#series.get(key)?.value ?? 0;
  }

  /** The metric in the text exposition format. */
  render(): string {
    let out = header(this.name, this.help, "counter");
    for (const { values, value } of this.#series.values()) {
      const pairs = this.labelNames.map((n, i) => [n, values[i]!] as const);
      out += `${this.name}${formatLabels(pairs)} ${formatValue(value)}\n`;
    }
    return out;
  }
}
