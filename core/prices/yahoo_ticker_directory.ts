/** The Yahoo Finance adapter of the commands' TickerDirectory port. */

import type { TickerDirectory } from "../commands/ticker_directory.ts";
import type { Ticker } from "../domain/ticker.ts";
import { YahooPriceSource, type YahooPriceSourceOptions } from "./yahoo_price_source.ts";

/**
 * Asks Yahoo Finance whether it knows a symbol, through the same quote request the collector
 * makes (yahoo-finance2's `quote()`, cookie and crumb included): a symbol Yahoo leaves out of
 * its answer, or sends without a price, is unknown.
 *
 * @example
 * ```ts
 * const yahoo = new YahooTickerDirectory({ timeoutMs: 2_000 });
 * await yahoo.isKnown("NOTREAL123" as Ticker); // false
 * ```
 */
export class YahooTickerDirectory implements TickerDirectory {
  readonly #source: YahooPriceSource;

  /** Takes the same options as {@linkcode YahooPriceSource} (a short `timeoutMs` suits a check). */
  constructor(options: YahooPriceSourceOptions = {}) {
    this.#source = new YahooPriceSource(options);
  }

  /**
   * True when Yahoo prices `ticker`.
   *
   * @throws {Error} "Cannot fetch prices from Yahoo Finance: …" when Yahoo cannot be asked
   */
  async isKnown(ticker: Ticker): Promise<boolean> {
    const { unknown } = await this.#source.fetch([ticker]);
    return unknown.length === 0;
  }
}
