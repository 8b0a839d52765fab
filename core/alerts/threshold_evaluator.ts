import type { Crossing } from "../domain/crossing.ts";
import type { Quote } from "../domain/quote.ts";

/** The crossings of one cycle, and the state change that goes with them. */
export interface Evaluation {
  /** One crossing per threshold that fires this cycle, with its quote's price and time. */
  readonly crossings: readonly Crossing[];
  /** Thresholds that fire or re-arm (0 when nothing changes). */
  readonly transitions: number;
  /**
   * Stores the new armed/fired state. Call it only after every alert was published: a crash
   * before it means the cycle is evaluated again, with the same crossings.
   */
  commit(): Promise<void>;
}

/**
 * Finds every threshold that a cycle's quotes cross, by the rule of
 * {@linkcode applyThresholdRule} (the port; MySQL implements it).
 */
export interface ThresholdEvaluator {
  /**
   * Evaluates the thresholds of the quotes' tickers; when a ticker is quoted twice, the last
   * quote counts. Nothing is stored until {@linkcode Evaluation.commit}.
   */
  evaluate(quotes: readonly Quote[]): Promise<Evaluation>;
}
