import type { Email } from "../domain/email.ts";
import type { Ticker } from "../domain/ticker.ts";

/** One stored price of a ticker. */
export interface StoredQuote {
  /** The price, in the instrument's currency. */
  readonly price: number;
  /** When the price was quoted. */
  readonly at: Date;
  /** The price's currency as the source spells it ("USD", "GBp"), when stored. */
  readonly currency?: string;
}

/** What {@linkcode PriceHistory.latestOf} reads: the user's ticker and its newest quote. */
export interface TickerLatest {
  /** The ticker the user follows. */
  readonly ticker: Ticker;
  /** The ticker's newest quote (as {@linkcode PriceHistory.latest}), undefined when none. */
  readonly quote: StoredQuote | undefined;
}

/** The read model the query service needs (the port; MySQL implements it). */
export interface PriceHistory {
  /**
   * The ticker the user follows and its newest quote, in one read (GetLatestValue's hot path);
   * undefined when the user is unknown.
   */
  latestOf(email: Email): Promise<TickerLatest | undefined>;
  /** The ticker the user follows, or undefined when the user is unknown. */
  tickerOf(email: Email): Promise<Ticker | undefined>;
  /** The newest quote of the ticker, by time. */
  latest(ticker: Ticker): Promise<StoredQuote | undefined>;
  /** The currency of the ticker's newest quote that has one, or undefined. */
  currencyOf(ticker: Ticker): Promise<string | undefined>;
  /** Mean of the newest `count` quotes and how many there were (0 when none). */
  average(ticker: Ticker, count: number): Promise<{ average: number; count: number }>;
}
