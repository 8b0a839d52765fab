import type { Logger } from "../log/logger.ts";
import type { PriceFetch, PriceSource } from "./price_source.ts";
import type { UnknownTickers } from "./unknown_tickers.ts";

/** Options of {@linkcode UnknownTickerMarking}. */
export interface UnknownTickerMarkingOptions {
  /** The source asked (usually the GuardedPriceSource). */
  source: PriceSource;
  /** Where the marks go. */
  unknownTickers: UnknownTickers;
  /** Logs a mark that could not be written (the fetch still succeeds). */
  logger: Logger;
}

/**
 * A {@linkcode PriceSource} that passes every fetch through and records its outcome per symbol:
 * the symbols the source does not know are marked unknown, those it priced are unmarked. A mark
 * that cannot be written is logged, never fails the fetch.
 */
export class UnknownTickerMarking implements PriceSource {
  readonly #options: UnknownTickerMarkingOptions;

  /** Takes the source, the marks' store and a logger. */
  constructor(options: UnknownTickerMarkingOptions) {
    this.#options = options;
  }

  /** The wrapped source's name. */
  get name(): string {
    return this.#options.source.name;
  }

  /** Fetches from the wrapped source, then records which symbols it knew. */
  async fetch(tickers: readonly string[]): Promise<PriceFetch> {
    const fetched = await this.#options.source.fetch(tickers);
    try {
      await this.#options.unknownTickers.record(
        fetched.unknown,
        fetched.quotes.map((q) => q.ticker),
      );
    } catch (err) {
      this.#options.logger.warn("unknown symbols could not be marked", { err });
    }
    return fetched;
  }
}
