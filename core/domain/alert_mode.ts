/**
 * How thresholds fire. `edge`: once when the price crosses, re-armed only after the price is back
 * inside the band by the hysteresis margin. `level`: on every cycle while the price is outside
 * (the original system's behaviour).
 */
export type AlertMode = "edge" | "level";

/** Evaluation settings. */
export interface AlertRules {
  /** Whether a threshold fires once per crossing (`edge`) or on every cycle beyond it (`level`). */
  readonly mode: AlertMode;
  /**
   * Re-arm margin, a fraction in [0, 1) (0.005 = 0.5 %): a fired HIGH re-arms when
   * high ≥ price / (1 − h), a fired LOW when low ≤ price / (1 + h), i.e. roughly when the price is
   * back to high·(1 − h) or low·(1 + h). 0 means plain crossing. The exact rule, boundaries
   * included, is {@linkcode applyThresholdRule}.
   */
  readonly hysteresis: number;
}
