import type { Quote } from "../prices/quote.ts";

/** What retention removed. */
export interface RetentionResult {
  /** Quotes beyond the newest N of their ticker. */
  readonly trimmed: number;
  /** Quotes of tickers nobody follows any more. */
  readonly dropped: number;
}

/** Where the collector reads subscriptions and stores quotes (the port; MySQL implements it). */
export interface QuoteStore {
  /** Distinct tickers of current subscriptions, sorted. */
  followedTickers(): Promise<string[]>;
  /** Stores a cycle's quotes in one multi-row insert. */
  insertQuotes(quotes: readonly Quote[]): Promise<void>;
  /**
   * Keeps the newest `keepPerTicker` quotes of each ticker and, when `dropUnfollowed`, deletes
   * the quotes of tickers that no subscription follows.
   */
  applyRetention(
    options: { keepPerTicker: number; dropUnfollowed: boolean },
  ): Promise<RetentionResult>;
}
