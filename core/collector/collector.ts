import type { PriceUpdate, QuoteMessage } from "../messages/messages.ts";
import { MESSAGE_VERSION } from "../messages/message_version.ts";
import { TOPIC_TO_ALERT_SYSTEM } from "../messages/topics.ts";
import type { Logger } from "../log/logger.ts";
import { CircuitBreakerOpenError } from "../runtime/circuit_breaker.ts";
import type { PriceSource } from "./price_source.ts";
import { isStaleQuote, type Quote } from "../domain/quote.ts";
import { retry } from "../runtime/retry.ts";
import type { QuoteStore } from "./quote_store.ts";
import type { RecordPublisher } from "../messages/record_publisher.ts";

/** Dependencies and settings of {@linkcode Collector}. */
export interface CollectorOptions {
  /** Where followed tickers are read and quotes and the cycle's outbox message are stored. */
  store: QuoteStore;
  /** Usually a GuardedPriceSource (circuit breaker around the real source). */
  source: PriceSource;
  /** Publishes each cycle's `update` message (the Kafka producer in the service). */
  publisher: RecordPublisher;
  /** Logs cycles, skipped cycles and retries. */
  logger: Logger;
  /** Newest quotes kept per ticker; default 1,000. */
  keepPerTicker?: number;
  /** Delete quotes of tickers nobody follows; default true. */
  dropUnfollowed?: boolean;
  /** Topic of the update messages; default `to-alert-system`. */
  topic?: string;
  /**
   * How long to keep retrying the update message when Kafka does not acknowledge it (a broker
   * outage outlasting the producer's own 3 retries); default 120,000 ms. Then the cycle fails.
   */
  publishTimeoutMs?: number;
  /** Clock for the message's `collected_at`; default `() => new Date()`. */
  now?: () => Date;
}

/** What one cycle did. */
export interface CycleReport {
  /** This cycle's id (a random UUID), carried as `cycle_id` by its `update` message. */
  readonly cycleId: string;
  /** Followed tickers asked of the source. */
  readonly tickers: number;
  /** Quotes stored, one per ticker at most. */
  readonly quotes: number;
  /** Symbols the source did not know, skipped. */
  readonly unknown: readonly string[];
  /**
   * Quotes left out because their market time had not moved since the stored one (a closed
   * market): neither stored nor sent to the alert system. Tickers, upper-case.
   */
  readonly stale?: readonly string[];
  /** Symbols whose request failed while the rest of the fetch succeeded; asked again next cycle. */
  readonly notFetched?: readonly string[];
  /** Why no quotes were stored, when none were. */
  readonly skipped?: "no subscriptions" | "breaker open" | "source failed";
}

/**
 * One collection cycle: read the followed tickers, fetch their prices in one call to the source,
 * store them (one multi-row insert) together with the cycle's `update` message in an outbox,
 * publish that message, apply retention. Messages a crash or a long Kafka outage left unpublished
 * are sent first, oldest first.
 *
 * A quote whose market time has not moved past the newest stored one of its ticker (a closed
 * market answers the same quote every cycle) is stale: it is neither stored nor published, so
 * the alert system never evaluates it twice, in level mode either. A quote without a market time
 * (synthetic prices) is always new.
 *
 * A source failure or an open breaker skips the cycle (logged); a partial failure keeps the
 * quotes that arrived and logs the rest once; database and Kafka faults throw.
 */
export class Collector {
  readonly #options: Required<Omit<CollectorOptions, "now">> & { now: () => Date };
  #cycles = 0;

  /** Takes the store, source, publisher and logger, and optional settings with their defaults. */
  constructor(options: CollectorOptions) {
    this.#options = {
      keepPerTicker: 1_000,
      dropUnfollowed: true,
      topic: TOPIC_TO_ALERT_SYSTEM,
      publishTimeoutMs: 120_000,
      now: () => new Date(),
      ...options,
    };
  }

  /** Cycles run so far. */
  get cycles(): number {
    return this.#cycles;
  }

  /**
   * Publishes every saved but unpublished cycle, oldest first (after a crash or a Kafka outage
   * that outlasted `publishTimeoutMs`, the next cycle sends the missed ones before its own).
   */
  async publishPending(): Promise<number> {
    const pending = await this.#options.store.unpublished();
    for (const { cycleId, message } of pending) {
      await this.#publish(message, cycleId);
      await this.#options.store.markPublished(cycleId);
    }
    return pending.length;
  }

  /** Runs one cycle. */
  async runCycle(): Promise<CycleReport> {
    const { store, source, logger: log } = this.#options;
    const cycleId = crypto.randomUUID();
    this.#cycles++;
    const recovered = await this.publishPending();
    if (recovered > 0) log.warn("published updates of earlier cycles", { recovered });
    const tickers = await store.followedTickers();
    if (tickers.length === 0) {
      log.info("cycle skipped: no subscriptions", { cycleId });
      return { cycleId, tickers: 0, quotes: 0, unknown: [], skipped: "no subscriptions" };
    }
    let fetched;
    try {
      fetched = await source.fetch(tickers);
    } catch (err) {
      const open = err instanceof CircuitBreakerOpenError;
      log.warn(
        open ? "cycle skipped: price source breaker is open" : "cycle skipped: price source failed",
        {
          cycleId,
          source: source.name,
          err,
        },
      );
      return {
        cycleId,
        tickers: tickers.length,
        quotes: 0,
        unknown: [],
        skipped: open ? "breaker open" : "source failed",
      };
    }
    if (fetched.unknown.length > 0) {
      log.warn("unknown symbols skipped", { cycleId, unknown: fetched.unknown });
    }
    const notFetched = fetched.failed ?? [];
    if (notFetched.length > 0) {
      log.warn("part of the fetch failed; those symbols are asked again next cycle", {
        cycleId,
        source: source.name,
        notFetched: notFetched.length,
        err: fetched.failure,
      });
    }
    const { fresh: quotes, stale } = await this.#dropStale(_onePerTicker(fetched.quotes));
    if (stale.length > 0) {
      log.info("quotes skipped: market time has not moved", { cycleId, stale });
    }
    if (quotes.length > 0) {
      const update: PriceUpdate = {
        version: MESSAGE_VERSION,
        cycle_id: cycleId,
        collected_at: this.#options.now().toISOString(),
        quotes: quotes.map(_quoteMessage),
      };
      await store.saveCycle({ cycleId, quotes, message: JSON.stringify(update) });
      await this.publishPending();
    }
    const retention = await store.applyRetention({
      keepPerTicker: this.#options.keepPerTicker,
      dropUnfollowed: this.#options.dropUnfollowed,
    });
    log.info("cycle done", {
      cycleId,
      tickers: tickers.length,
      quotes: quotes.length,
      unknown: fetched.unknown.length,
      stale: stale.length,
      notFetched: notFetched.length,
      ...retention,
    });
    return {
      cycleId,
      tickers: tickers.length,
      quotes: quotes.length,
      unknown: fetched.unknown,
      stale,
      notFetched,
    };
  }

  async #dropStale(quotes: Quote[]): Promise<{ fresh: Quote[]; stale: string[] }> {
    const timed = quotes.filter((q) => q.marketTime !== undefined).map((q) => q.ticker);
    if (timed.length === 0) return { fresh: quotes, stale: [] };
    const last = await this.#options.store.lastMarketTimes(timed);
    const fresh: Quote[] = [];
    const stale: string[] = [];
    for (const q of quotes) {
      if (isStaleQuote(q, last.get(q.ticker))) stale.push(q.ticker);
      else fresh.push(q);
    }
    return { fresh, stale };
  }

  // Retries any failure until acknowledged or publishTimeoutMs passed: a repeat after an unclear
  // failure carries the same cycle_id, so the alert system produces the same alert ids and the
  // notifier mails once.
  async #publish(value: string, cycleId: string): Promise<void> {
    await retry(() => this.#options.publisher.send(this.#options.topic, { key: "update", value }), {
      timeoutMs: this.#options.publishTimeoutMs,
      retriable: () => true,
      baseMs: 250,
      capMs: 5_000,
      onRetry: ({ attempt, waitMs, error }) =>
        this.#options.logger.warn("update not acknowledged, retrying", {
          cycleId,
          attempt,
          retryInMs: Math.round(waitMs),
          err: error,
        }),
    });
  }
}

function _quoteMessage(q: Quote): QuoteMessage {
  const message: QuoteMessage = { ticker: q.ticker, price: q.price, at: q.at.toISOString() };
  if (q.currency !== undefined) message.currency = q.currency;
  if (q.marketTime !== undefined) message.market_time = q.marketTime.toISOString();
  return message;
}

// The last quote of a ticker wins; a source should not send two, but one cycle stores one each.
function _onePerTicker(quotes: readonly Quote[]): Quote[] {
  return [...new Map(quotes.map((q) => [q.ticker, q])).values()];
}
