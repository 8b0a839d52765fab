/** The Yahoo Finance adapter of the PriceSource port, over yahoo-finance2 4. */

import YahooFinance from "yahoo-finance2";
import { ExtendedCookieJar } from "yahoo-finance2/lib/cookieJar";
import { getCrumbClear } from "yahoo-finance2/lib/getCrumb";
import { type Logger, silentLogger } from "../log/logger.ts";
import type { PriceFetch, PriceSource } from "../collector/price_source.ts";
import { normalizeTicker, type Quote } from "../domain/quote.ts";

/** Options of {@linkcode YahooPriceSource}. */
export interface YahooPriceSourceOptions {
  /** The `fetch` yahoo-finance2 uses for every request (tests inject a fake). Default global. */
  fetch?: typeof globalThis.fetch;
  /** Symbols per quote request; Yahoo accepts long lists. Default 100. */
  chunkSize?: number;
  /** Time limit of one HTTP request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Receives yahoo-finance2's own messages (as debug/warn/error lines). Default silent. */
  logger?: Logger;
  /** Clock for quotes Yahoo sends without `regularMarketTime`. Default `() => new Date()`. */
  now?: () => Date;
}

/** The fields this adapter reads from one entry of Yahoo's quote response. */
interface _YahooQuote {
  symbol?: unknown;
  regularMarketPrice?: unknown;
  regularMarketTime?: unknown;
}

/**
 * Prices from Yahoo Finance through yahoo-finance2's `quote()`, many symbols per request (one
 * request per `chunkSize` symbols, never one per ticker). yahoo-finance2 performs the cookie and
 * crumb exchange itself, once per instance and again after any failed request (so an expired
 * crumb costs one failed cycle, not all of them).
 *
 * A symbol is unknown when Yahoo leaves it out of the answer (it does for symbols it does not
 * know; yahoo-finance2 also drops delisted ones, `quoteType: "NONE"`) or sends no usable
 * `regularMarketPrice`. The result is not validated against yahoo-finance2's full schema, so one
 * odd entry cannot fail a whole cycle; only the two fields used here are checked.
 *
 * @example
 * ```ts
 * const yahoo = new YahooPriceSource({ logger: log.child({ component: "yahoo" }) });
 * const { quotes, unknown } = await yahoo.fetch(["AAPL", "BRK-B", "EURUSD=X"]);
 * ```
 */
export class YahooPriceSource implements PriceSource {
  /** Always "yahoo". */
  readonly name = "yahoo";
  readonly #yahoo: InstanceType<typeof YahooFinance>;
  readonly #cookieJar = new ExtendedCookieJar();
  readonly #chunkSize: number;
  readonly #now: () => Date;

  /**
   * Sets up a yahoo-finance2 client with its own cookie jar and a per-request timeout; nothing is
   * fetched until {@linkcode YahooPriceSource.fetch}.
   *
   * @throws {RangeError} when `chunkSize` is not an integer in [1, 1000] or `timeoutMs` ≤ 0.
   */
  constructor(options: YahooPriceSourceOptions = {}) {
    const chunkSize = options.chunkSize ?? 100;
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1000) {
      throw new RangeError("Cannot create Yahoo source: chunkSize must be an integer in [1, 1000]");
    }
    if (!(timeoutMs > 0)) throw new RangeError("Cannot create Yahoo source: timeoutMs must be > 0");
    this.#chunkSize = chunkSize;
    this.#now = options.now ?? (() => new Date());
    const baseFetch = options.fetch ?? globalThis.fetch;
    const timedFetch: typeof globalThis.fetch = (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      return baseFetch(input, { ...init, signal });
    };
    this.#yahoo = new YahooFinance({
      fetch: timedFetch,
      versionCheck: false,
      // Its own jar: the library's default jar (and crumb) is shared by every instance.
      cookieJar: this.#cookieJar,
      suppressNotices: ["yahooSurvey"],
      validation: { logErrors: false },
      logger: _libraryLogger(options.logger ?? silentLogger),
    });
  }

  /**
   * Fetches the quotes of `tickers`, `chunkSize` symbols per request.
   *
   * @throws {Error} "Cannot fetch prices from Yahoo Finance: …" (with `cause`) when a request
   * fails: network error, timeout, HTTP error status, unparseable answer, crumb refused
   */
  async fetch(tickers: readonly string[]): Promise<PriceFetch> {
    const symbols = [...new Set(tickers.map(normalizeTicker))];
    const chunks: string[][] = [];
    for (let i = 0; i < symbols.length; i += this.#chunkSize) {
      chunks.push(symbols.slice(i, i + this.#chunkSize));
    }
    let answers: _YahooQuote[][];
    try {
      answers = await Promise.all(
        chunks.map((chunk) =>
          this.#yahoo.quote(chunk, {}, { validateResult: false }) as Promise<_YahooQuote[]>
        ),
      );
    } catch (error) {
      // The crumb may have expired (HTTP 401 "Invalid Crumb"): start the next attempt afresh.
      await getCrumbClear(this.#cookieJar).catch(() => {});
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot fetch prices from Yahoo Finance: ${reason}`, { cause: error });
    }
    const found = new Map<string, Quote>();
    for (const entry of answers.flat()) {
      const quote = this.#toQuote(entry);
      if (quote) found.set(quote.ticker, quote);
    }
    const quotes: Quote[] = [];
    const unknown: string[] = [];
    for (const symbol of symbols) {
      const quote = found.get(symbol);
      if (quote) quotes.push(quote);
      else unknown.push(symbol);
    }
    return { quotes, unknown };
  }

  #toQuote(entry: _YahooQuote): Quote | undefined {
    const { symbol, regularMarketPrice: price, regularMarketTime: time } = entry;
    if (typeof symbol !== "string" || typeof price !== "number") return undefined;
    if (!(Number.isFinite(price) && price > 0)) return undefined;
    // yahoo-finance2 turns epoch seconds into a Date while coercing; keep both forms working.
    let at = time instanceof Date ? time : typeof time === "number" ? new Date(time * 1000) : null;
    if (!at || Number.isNaN(at.getTime())) at = this.#now();
    return { ticker: normalizeTicker(symbol), price, at };
  }
}

/** yahoo-finance2's logger interface, forwarded to ours. */
function _libraryLogger(log: Logger) {
  const line = (args: unknown[]) =>
    "yahoo-finance2: " +
    args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
  return {
    debug: (...args: unknown[]) => log.debug(line(args)),
    dir: (...args: unknown[]) => log.debug(line(args)),
    info: (...args: unknown[]) => log.debug(line(args)),
    warn: (...args: unknown[]) => log.warn(line(args)),
    error: (...args: unknown[]) => log.error(line(args)),
  };
}
