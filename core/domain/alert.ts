import { alertIdOf } from "./alert_id.ts";
import type { Crossing } from "./crossing.ts";

/**
 * A crossing with its id: the one value the notifier works with, from the dedup checks to the
 * email.
 */
export interface Alert extends Crossing {
  /** Identifies the alert across redeliveries (see {@linkcode alertIdOf}). */
  readonly alertId: string;
}

/**
 * The alert of `crossing` in cycle `cycleId`: the crossing plus its deterministic id.
 *
 * @example
 * ```ts
 * const alert = alertOf(update.cycle_id, crossing);
 * alert.alertId; // 32 hex digits, the same for every evaluation of this cycle
 * ```
 */
export function alertOf(cycleId: string, crossing: Crossing): Alert {
  return { ...crossing, alertId: alertIdOf(cycleId, crossing) };
}
