/** A price observation for one ticker. */

/**
 * The price of one ticker at one instant, as a price source reports it.
 *
 * @example
 * ```ts
 * const q: Quote = { ticker: "AAPL", price: 187.42, at: new Date("2026-01-05T15:30:00Z") };
 * ```
 */
export interface Quote {
  /** Upper-case Yahoo symbol, e.g. "AAPL", "BRK-B", "EURUSD=X", "BTC-USD". */
  ticker: string;
  /** Last price, in the instrument's currency; always finite and > 0. */
  price: number;
  /** When the price was observed (the market's time when the source knows it). */
  at: Date;
}

/**
 * Normalises a ticker the way every price source and the collector compare them: trimmed and
 * upper-cased ("brk-b " → "BRK-B").
 */
export function normalizeTicker(ticker: string): string {
  return ticker.trim().toUpperCase();
}
