import { ValidationError } from "./validation_error.ts";

/** A user's alert band. Either bound may be absent; when both are set, high > low. */
export interface Thresholds {
  /** Upper bound: an alert when the price goes above it; null when not set. */
  readonly high: number | null;
  /** Lower bound: an alert when the price goes below it; null when not set. */
  readonly low: number | null;
}

/**
 * Checks one threshold: absent, or a finite number > 0. An explicit 0 counts as absent, as in the
 * original system (its proto3 clients cannot leave a double off the wire except by sending 0).
 *
 * @throws {ValidationError} naming the field, for a negative, NaN or infinite value
 */
export function checkThreshold(
  value: number | null | undefined,
  field: "high_value" | "low_value",
  action: string,
): number | null {
  if (value === undefined || value === null || value === 0) return null;
  if (!Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      `Cannot ${action}: ${field} must be a finite number greater than 0 (or 0 for none), ` +
        `got ${value}`,
      field,
    );
  }
  return value;
}

/**
 * Validates a band: each bound absent (or 0) or finite and > 0, and high > low when both are set.
 *
 * @throws {ValidationError}
 * @example
 * ```ts
 * parseThresholds(200, 150, "register user"); // { high: 200, low: 150 }
 * ```
 */
export function parseThresholds(
  high: number | null | undefined,
  low: number | null | undefined,
  action: string,
): Thresholds {
  const h = checkThreshold(high, "high_value", action);
  const l = checkThreshold(low, "low_value", action);
  if (h !== null && l !== null && h <= l) {
    throw new ValidationError(
      `Cannot ${action}: high_value (${h}) must be greater than low_value (${l})`,
      "high_value",
    );
  }
  return { high: h, low: l };
}
