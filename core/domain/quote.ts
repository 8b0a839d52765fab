/** A price observation for one ticker. */

/**
 * The price of one ticker at one instant, as a price source reports it.
 *
 * @example
 * ```ts
 * const q: Quote = {
 *   ticker: "OCDO.L", price: 308.8, at: new Date("2026-01-05T15:30:00Z"), currency: "GBp",
 *   marketTime: new Date("2026-01-05T15:30:00Z"),
 * };
 * ```
 */
export interface Quote {
  /** Upper-case Yahoo symbol, e.g. "AAPL", "BRK-B", "EURUSD=X", "BTC-USD". */
  ticker: string;
  /** Last price, in {@linkcode Quote.currency}; always finite and > 0. */
  price: number;
  /** When the price was observed (the market's time when the source knows it). */
  at: Date;
  /**
   * The currency the price is in, as the source spells it: an ISO 4217 code ("USD", "EUR") or a
   * minor unit Yahoo uses for some listings ("GBp" pence for London, "ILA" agorot, "ZAc" cents).
   * Absent when the source does not say.
   */
  currency?: string;
  /**
   * The exchange's own time of the price (Yahoo's `regularMarketTime`), when the source reports
   * one. While a market is closed it stays the same from one fetch to the next: the collector
   * stores a quote only when its market time has moved.
   */
  marketTime?: Date;
}

/**
 * Normalises a ticker the way every price source and the collector compare them: trimmed and
 * upper-cased ("brk-b " → "BRK-B").
 */
export function normalizeTicker(ticker: string): string {
  return ticker.trim().toUpperCase();
}

/**
 * Whether `quote` says nothing new compared with the newest stored market time of its ticker:
 * both are known and the quote's is not later. A quote without a market time is never stale.
 *
 * @example
 * ```ts
 * isStaleQuote({ ticker: "AAPL", price: 1, at, marketTime: t }, t); // true: market closed
 * ```
 */
export function isStaleQuote(quote: Quote, lastMarketTime: Date | undefined): boolean {
  if (quote.marketTime === undefined || lastMarketTime === undefined) return false;
  return quote.marketTime.getTime() <= lastMarketTime.getTime();
}
