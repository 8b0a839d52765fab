/**
 * How thresholds fire. `edge`: once when the price crosses, re-armed only after the price is back
 * inside the band by the hysteresis margin. `level`: on every cycle while the price is outside
 * (the original system's behaviour).
 */
export type AlertMode = "edge" | "level";

/** Evaluation settings. */
export interface AlertRules {
  readonly mode: AlertMode;
  /**
   * Re-arm margin as a fraction of the threshold (0.005 = 0.5 %): a fired HIGH re-arms when the
   * price is ≤ high·(1 − h), a fired LOW when it is ≥ low·(1 + h). 0 means plain crossing.
   */
  readonly hysteresis: number;
}
