import { LRUCache } from "lru-cache";
import type { Ticker } from "../domain/ticker.ts";
import type { TickerDirectory } from "./ticker_directory.ts";

/** Options of {@linkcode CachedTickerDirectory}. */
export interface CachedTickerDirectoryOptions {
  /** The directory asked on a cache miss (e.g. the Yahoo adapter). */
  directory: TickerDirectory;
  /** Longest wait for an answer, in ms; then the check counts as unavailable. Default 2,000. */
  timeoutMs?: number;
  /** How long a known ticker is remembered; default 24 h. */
  knownTtlMs?: number;
  /** How long an unknown ticker is remembered (it may be listed later); default 10 min. */
  unknownTtlMs?: number;
  /** Most tickers remembered; default 10,000. */
  maxEntries?: number;
  /** The clock entries age by, in ms, always above 0; default `performance.now`. */
  now?: () => number;
}

/** The price source did not answer a ticker check in time, or failed. */
export class TickerCheckUnavailableError extends Error {
  /** The ticker that could not be checked. */
  readonly ticker: string;
  /** Takes the ticker and what went wrong (kept as `cause`). */
  constructor(ticker: string, options?: { cause?: unknown }) {
    super(`Cannot check ticker "${ticker}": the price source did not answer`, options);
    this.name = "TickerCheckUnavailableError";
    this.ticker = ticker;
  }
}

/**
 * A {@linkcode TickerDirectory} in front of another: answers are cached (known ones longer than
 * unknown ones), concurrent checks of one ticker share one lookup, and a lookup slower than
 * `timeoutMs` fails with {@linkcode TickerCheckUnavailableError}. Failures are not cached.
 *
 * @example
 * ```ts
 * const tickers = new CachedTickerDirectory({ directory: yahoo, timeoutMs: 2_000 });
 * await tickers.isKnown("AAPL" as Ticker); // true, asked once per day at most
 * ```
 */
export class CachedTickerDirectory implements TickerDirectory {
  readonly #directory: TickerDirectory;
  readonly #timeoutMs: number;
  readonly #knownTtlMs: number;
  readonly #unknownTtlMs: number;
  readonly #answers: LRUCache<string, boolean>;
  readonly #pending = new Map<string, Promise<boolean>>();

  /** Takes the directory to ask and the cache settings. */
  constructor(options: CachedTickerDirectoryOptions) {
    this.#directory = options.directory;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#knownTtlMs = options.knownTtlMs ?? 86_400_000;
    this.#unknownTtlMs = options.unknownTtlMs ?? 600_000;
    const now = options.now ?? (() => performance.now() + 1);
    this.#answers = new LRUCache({
      max: options.maxEntries ?? 10_000,
      ttl: this.#knownTtlMs,
      ttlAutopurge: false,
      ttlResolution: 0,
      perf: { now },
    });
  }

  /**
   * True when the ticker is known, from the cache or the directory.
   *
   * @throws {TickerCheckUnavailableError} when the directory fails or is slower than the timeout
   */
  async isKnown(ticker: Ticker): Promise<boolean> {
    const cached = this.#answers.get(ticker);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(ticker);
    if (!pending) {
      pending = this.#lookup(ticker).finally(() => this.#pending.delete(ticker));
      this.#pending.set(ticker, pending);
    }
    return await pending;
  }

  async #lookup(ticker: Ticker): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      const known = await Promise.race([this.#directory.isKnown(ticker), timeout]);
      this.#answers.set(ticker, known, { ttl: known ? this.#knownTtlMs : this.#unknownTtlMs });
      return known;
    } catch (err) {
      throw new TickerCheckUnavailableError(ticker, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
