import type { AlertRules } from "./alert_mode.ts";
import type { ThresholdType } from "./threshold_type.ts";

/** One threshold as the rule sees it: its bound, its value and whether it has fired. */
export interface ThresholdState {
  /** HIGH bounds the band from above, LOW from below. */
  readonly type: ThresholdType;
  /** The threshold, a finite number > 0. */
  readonly value: number;
  /** True once it fired in edge mode, until the price comes back and re-arms it. */
  readonly fired: boolean;
}

/**
 * What a price does to a threshold: `fire` (the user is alerted), `re-arm` (a fired threshold
 * may fire again) or `none`.
 */
export type ThresholdAction = "fire" | "re-arm" | "none";

/** The outcome of {@linkcode applyThresholdRule}. */
export interface ThresholdDecision {
  /** What happens now. */
  readonly action: ThresholdAction;
  /** The threshold's `fired` flag afterwards. */
  readonly fired: boolean;
}

/**
 * The alert rule for one threshold and one price:
 *
 * - **edge** — an armed HIGH fires when `value < price`, an armed LOW when `value > price`; both
 *   become fired. A fired HIGH re-arms when `value >= price / (1 − h)`, a fired LOW when
 *   `value <= price / (1 + h)` (`h` = `rules.hysteresis`): the price is back inside the band by
 *   the margin. Anything else changes nothing.
 * - **level** — every threshold the price is beyond (`value < price` for HIGH, `value > price`
 *   for LOW) fires, whatever its flag, and the flag never changes.
 *
 * A price equal to the threshold is not beyond it. The comparisons are on binary64 numbers, as
 * the database does them, with one subtlety: `h` counts as the decimal it prints as (0.07, not
 * the binary 0.07000000000000000666…), so `1 − h` and `1 + h` are computed exactly in decimal and
 * rounded once, like SQL's DECIMAL arithmetic on the literal `0.07` (plain `1 - 0.07` in
 * JavaScript gives 0.9299999999999999, not 0.93). A margin so small that it prints in exponent
 * notation (below 1e-6) is, like such a literal in SQL, taken in binary.
 *
 * Pure: the same inputs always give the same decision.
 *
 * @example
 * ```ts
 * const rules: AlertRules = { mode: "edge", hysteresis: 0.005 };
 * applyThresholdRule({ type: "HIGH", value: 200, fired: false }, 205, rules);
 * // { action: "fire", fired: true }
 * applyThresholdRule({ type: "HIGH", value: 200, fired: true }, 199.5, rules);
 * // { action: "none", fired: true }: inside the band, but within 0.5 % of 200
 * applyThresholdRule({ type: "HIGH", value: 200, fired: true }, 198, rules);
 * // { action: "re-arm", fired: false }
 * applyThresholdRule({ type: "LOW", value: 100, fired: true }, 90, { ...rules, mode: "level" });
 * // { action: "fire", fired: true }: level mode alerts on every cycle while beyond
 * ```
 */
export function applyThresholdRule(
  threshold: ThresholdState,
  price: number,
  rules: AlertRules,
): ThresholdDecision {
  const { type, value, fired } = threshold;
  const beyond = type === "HIGH" ? value < price : value > price;
  if (rules.mode === "level") return { action: beyond ? "fire" : "none", fired };
  if (!fired) return beyond ? { action: "fire", fired: true } : { action: "none", fired };
  const back = type === "HIGH"
    ? value >= price / _oneMinus(rules.hysteresis)
    : value <= price / _onePlus(rules.hysteresis);
  return back ? { action: "re-arm", fired: false } : { action: "none", fired };
}

function _oneMinus(h: number): number {
  return _decimalSum(-1n, h) ?? 1 - h;
}

function _onePlus(h: number): number {
  return _decimalSum(1n, h) ?? 1 + h;
}

/** 1 + sign·h computed exactly on h's decimal form and rounded once; undefined for 1e-7 forms. */
function _decimalSum(sign: 1n | -1n, h: number): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(String(h));
  if (!match) return undefined;
  const [, whole, fraction = ""] = match;
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (scale + sign * BigInt(whole! + fraction)).toString();
  const digits = scaled.padStart(fraction.length + 1, "0");
  const point = digits.length - fraction.length;
  return Number(`${digits.slice(0, point)}.${digits.slice(point)}`);
}
