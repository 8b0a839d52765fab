import type { Quote } from "../domain/quote.ts";
import type { AlertMessage } from "../messages/messages.ts";

/** The alerts of one cycle, and the state change that goes with them. */
export interface Evaluation {
  /** One message per threshold that fires this cycle. */
  readonly alerts: readonly AlertMessage[];
  /** Thresholds that fire or re-arm (0 when nothing changes). */
  readonly transitions: number;
  /**
   * Stores the new armed/fired state. Call it only after every alert was published: a crash
   * before it means the cycle is evaluated again, with the same alert ids.
   */
  commit(): Promise<void>;
}

/** Finds every threshold that a cycle's quotes cross (the port; MySQL implements it). */
export interface ThresholdEvaluator {
  evaluate(cycleId: string, quotes: readonly Quote[]): Promise<Evaluation>;
}
