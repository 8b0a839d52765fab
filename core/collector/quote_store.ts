import type { Quote } from "../domain/quote.ts";

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
  /**
   * The newest stored market time of each of `tickers` that has one (quotes stored without a
   * market time do not count): what a new quote's market time must pass to be stored.
   */
  lastMarketTimes(tickers: readonly string[]): Promise<Map<string, Date>>;
  /**
   * Stores a cycle's quotes (one multi-row insert) and its `update` message, unpublished, in one
   * transaction: the outbox that makes a crash before the publish lose nothing.
   */
  saveCycle(cycle: { cycleId: string; quotes: readonly Quote[]; message: string }): Promise<void>;
  /** Messages of cycles saved but not yet published, oldest first. */
  unpublished(): Promise<{ cycleId: string; message: string }[]>;
  /** Marks a cycle's message as published (acknowledged by Kafka). */
  markPublished(cycleId: string): Promise<void>;
  /**
   * Keeps the newest `keepPerTicker` quotes of each ticker and, when `dropUnfollowed`, deletes
   * the quotes of tickers that no subscription follows; forgets published outbox messages.
   */
  applyRetention(
    options: { keepPerTicker: number; dropUnfollowed: boolean },
  ): Promise<RetentionResult>;
}
