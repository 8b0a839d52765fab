/** Helpers of the Prometheus text exposition format 0.0.4 shared by the metric types. */

/** Label values by label name. */
export type Labels<L extends string> = Readonly<Record<L, string | number>>;

const _METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const _LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws a TypeError unless `name` is a valid metric name and `labelNames` valid label names. */
export function validateNames(name: string, labelNames: readonly string[]): void {
  if (!_METRIC_NAME.test(name)) throw new TypeError(`Invalid metric name "${name}"`);
  for (const label of labelNames) {
    if (!_LABEL_NAME.test(label) || label.startsWith("__")) {
      throw new TypeError(`Invalid label name "${label}" of metric ${name}`);
    }
  }
  if (new Set(labelNames).size !== labelNames.length) {
    throw new TypeError(`Duplicate label name in metric ${name}`);
  }
}

/** The `# HELP` and `# TYPE` lines of a metric. */
export function header(name: string, help: string, type: string): string {
  const escaped = help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
  return `# HELP ${name} ${escaped}\n# TYPE ${name} ${type}\n`;
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** `{a="x",b="y"}` for the given pairs, or "" when there are none. */
export function formatLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** A sample value: `+Inf`, `-Inf`, `NaN` or the number in JavaScript notation. */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

/**
 * The label values of `labels` in the order of `labelNames`; throws a TypeError when one is
 * missing or an unknown one is given.
 */
export function labelValues<L extends string>(
  metric: string,
  labelNames: readonly L[],
  labels: Labels<L> | undefined,
): string[] {
  const given = labels ?? ({} as Labels<L>);
  for (const key of Object.keys(given)) {
    if (!(labelNames as readonly string[]).includes(key)) {
      throw new TypeError(`Metric ${metric} has no label "${key}"`);
    }
  }
  return labelNames.map((name) => {
    const value = given[name];
    if (value === undefined) throw new TypeError(`Metric ${metric} needs label "${name}"`);
    return String(value);
  });
}
