import type { ThresholdType } from "./threshold_type.ts";

/**
 * A threshold that one quote crossed: who is told, about what, and the price that did it. It has
 * no id yet; {@linkcode alertOf} gives it the one of its cycle.
 *
 * @example
 * ```ts
 * const crossing: Crossing = {
 *   email: "ann@example.com", ticker: "AAPL", thresholdType: "HIGH", thresholdValue: 200,
 *   price: 205.3, at: new Date("2026-01-05T15:30:00Z"),
 * };
 * ```
 */
export interface Crossing {
  /** The user to tell. */
  readonly email: string;
  /** Upper-case ticker the user follows. */
  readonly ticker: string;
  /** HIGH: the price rose above the threshold; LOW: it fell below. */
  readonly thresholdType: ThresholdType;
  /** The user's threshold, as stored. */
  readonly thresholdValue: number;
  /** The quote's price that crossed it. */
  readonly price: number;
  /** When that price was observed. */
  readonly at: Date;
  /** The price's currency as the source spells it ("USD", "GBp"), when known. */
  readonly currency?: string;
}
