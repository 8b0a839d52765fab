/** The port through which the collector obtains prices. */

import type { Quote } from "../domain/quote.ts";

/** What one {@linkcode PriceSource.fetch} call returns. */
export interface PriceFetch {
  /** One quote per known ticker that was asked for. */
  quotes: Quote[];
  /**
   * Requested symbols the source does not know (or cannot price); the collector skips and logs
   * them. Upper-case, in request order.
   */
  unknown: string[];
  /**
   * Requested symbols whose request failed this time while others were answered (one bad chunk
   * of a large fetch): neither quoted nor unknown, they are asked again next cycle. Absent when
   * every request succeeded; when every request fails, `fetch` rejects instead.
   */
  failed?: string[];
  /** Why the `failed` symbols failed (the first failure), for the log. */
  failure?: Error;
}

/**
 * A source of current prices: Yahoo Finance, a synthetic random walk, a CSV replay.
 *
 * `fetch` resolves with the quotes it has and the symbols it does not know. It rejects only when
 * the source itself failed (network error, HTTP 5xx, unparseable answer) for the whole request:
 * that is what the circuit breaker counts, once per fetch. A source that answered part of the
 * request resolves with what it got and lists the rest as `failed`.
 *
 * @example
 * ```ts
 * const { quotes, unknown } = await source.fetch(["AAPL", "MSFT"]);
 * ```
 */
export interface PriceSource {
  /** Short name for logs, e.g. "yahoo", "synthetic", "replay". */
  readonly name: string;
  /** Fetches the current price of each ticker (upper-case symbols). */
  fetch(tickers: readonly string[]): Promise<PriceFetch>;
}
