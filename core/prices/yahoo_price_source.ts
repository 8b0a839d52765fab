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
  /**
   * Clock for quotes Yahoo sends without `regularMarketTime` and for the rate-limit backoff.
   * Default `() => new Date()`.
   */
  now?: () => Date;
  /**
   * Pause after an HTTP 429 that carries no Retry-After; doubled for each 429 in a row, up to
   * `maxBackoffMs`. Default 60 000 ms.
   */
  backoffMs?: number;
  /** Longest pause after a 429, Retry-After included. Default 900 000 ms (15 min). */
  maxBackoffMs?: number;
}

/**
 * Yahoo answered HTTP 429 (too many requests): no request is made before `retryAt`, and
 * {@linkcode YahooPriceSource.fetch} rejects with this error until then.
 */
export class YahooRateLimitError extends Error {
  /** When the source asks Yahoo again (from Retry-After, or the source's own backoff). */
  readonly retryAt: Date;
  /** Takes the time of the next allowed request and, optionally, the cause. */
  constructor(retryAt: Date, options?: ErrorOptions) {
    super(
      `Cannot fetch prices from Yahoo Finance: rate limited (HTTP 429); ` +
        `next request after ${retryAt.toISOString()}`,
      options,
    );
    this.name = "YahooRateLimitError";
    this.retryAt = retryAt;
  }
}

/** The fields this adapter reads from one entry of Yahoo's quote response. */
interface _YahooQuote {
  symbol?: unknown;
  regularMarketPrice?: unknown;
  regularMarketTime?: unknown;
  currency?: unknown;
}

/** A failed HTTP exchange, with a short excerpt of the answer instead of the whole body. */
class _YahooHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "YahooHttpError";
    this.status = status;
  }
}

const _EXCERPT_CHARS = 120;

/**
 * Prices from Yahoo Finance through yahoo-finance2's `quote()`, many symbols per request (one
 * request per `chunkSize` symbols, never one per ticker, one request at a time). yahoo-finance2
 * performs the cookie and crumb exchange itself, once per instance; the session (cookie jar and
 * crumb) is kept for as long as Yahoo accepts it and redone only after Yahoo refuses it (HTTP 401
 * or 403, "Invalid Crumb").
 *
 * Each quote carries Yahoo's `currency` (OCDO.L is quoted in "GBp", pence) and its
 * `regularMarketTime` as `marketTime`.
 *
 * A symbol is unknown when Yahoo leaves it out of the answer (it does for symbols it does not
 * know; yahoo-finance2 also drops delisted ones, `quoteType: "NONE"`) or sends no usable
 * `regularMarketPrice`. The result is not validated against yahoo-finance2's full schema, so one
 * odd entry cannot fail a whole cycle; only the fields used here are checked.
 *
 * When one request of several fails (a 5xx, a truncated answer), the quotes of the others are
 * kept and its symbols are reported as `failed`; `fetch` rejects only when every request failed.
 * After an HTTP 429 the source makes no request until the Retry-After time (or its own
 * exponential backoff) has passed, and keeps its session. yahoo-finance2's messages, and the
 * failed requests it would print on the console, go to the logger.
 *
 * @example
 * ```ts
 * const yahoo = new YahooPriceSource({ logger: log.child({ component: "yahoo" }) });
 * const { quotes, unknown } = await yahoo.fetch(["AAPL", "OCDO.L", "EURUSD=X"]);
 * ```
 */
export class YahooPriceSource implements PriceSource {
  /** Always "yahoo". */
  readonly name = "yahoo";
  readonly #yahoo: InstanceType<typeof YahooFinance>;
  readonly #cookieJar = new ExtendedCookieJar();
  readonly #chunkSize: number;
  readonly #now: () => Date;
  readonly #logger: Logger;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  /** No request before this time (epoch ms), after a 429. */
  #retryAt = 0;
  /** 429 answers in a row, for the backoff's doubling. */
  #rateLimits = 0;
  /** Yahoo refused the session (401/403) since the last fetch began. */
  #sessionRefused = false;

  /**
   * Sets up a yahoo-finance2 client with its own cookie jar and a per-request timeout; nothing is
   * fetched until {@linkcode YahooPriceSource.fetch}.
   *
   * @throws {RangeError} when `chunkSize` is not an integer in [1, 1000], `timeoutMs` ≤ 0, or a
   * backoff is ≤ 0
   */
  constructor(options: YahooPriceSourceOptions = {}) {
    const chunkSize = options.chunkSize ?? 100;
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1000) {
      throw new RangeError("Cannot create Yahoo source: chunkSize must be an integer in [1, 1000]");
    }
    if (!(timeoutMs > 0)) throw new RangeError("Cannot create Yahoo source: timeoutMs must be > 0");
    this.#backoffMs = options.backoffMs ?? 60_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 900_000;
    if (!(this.#backoffMs > 0 && this.#maxBackoffMs >= this.#backoffMs)) {
      throw new RangeError("Cannot create Yahoo source: need 0 < backoffMs ≤ maxBackoffMs");
    }
    this.#chunkSize = chunkSize;
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? silentLogger;
    const baseFetch = options.fetch ?? globalThis.fetch;
    const timedFetch: typeof globalThis.fetch = (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      return this.#exchange(baseFetch, input, { ...init, signal });
    };
    this.#yahoo = new YahooFinance({
      fetch: timedFetch,
      versionCheck: false,
      // Its own jar: the library's default jar (and crumb) is shared by every instance.
      cookieJar: this.#cookieJar,
      suppressNotices: ["yahooSurvey"],
      validation: { logErrors: false },
      // One request at a time: after a 429 the cycle's remaining chunks are not sent.
      queue: { concurrency: 1 },
      logger: _libraryLogger(this.#logger),
    });
  }

  /** The time before which no request is made (after an HTTP 429), or undefined. */
  get retryAt(): Date | undefined {
    return this.#retryAt > this.#now().getTime() ? new Date(this.#retryAt) : undefined;
  }

  /**
   * Fetches the quotes of `tickers`, `chunkSize` symbols per request. The symbols of a failed
   * request come back as `failed` while the other requests' quotes are kept.
   *
   * @throws {YahooRateLimitError} while backing off after an HTTP 429 (no request is made), or
   * when every request met a 429
   * @throws {Error} "Cannot fetch prices from Yahoo Finance: …" (with `cause`) when every request
   * failed: network error, timeout, HTTP error status, unparseable answer, crumb refused. The
   * message quotes at most a short excerpt of Yahoo's answer.
   */
  async fetch(tickers: readonly string[]): Promise<PriceFetch> {
    const symbols = [...new Set(tickers.map(normalizeTicker))];
    if (symbols.length === 0) return { quotes: [], unknown: [] };
    const blocked = this.retryAt;
    if (blocked) throw new YahooRateLimitError(blocked);
    const chunks: string[][] = [];
    for (let i = 0; i < symbols.length; i += this.#chunkSize) {
      chunks.push(symbols.slice(i, i + this.#chunkSize));
    }
    this.#sessionRefused = false;
    const settled = await Promise.allSettled(
      chunks.map((chunk) =>
        this.#yahoo.quote(chunk, {}, { validateResult: false }) as Promise<_YahooQuote[]>
      ),
    );
    if (this.#sessionRefused) {
      // The crumb expired (HTTP 401 "Invalid Crumb"): the next attempt starts a new session.
      await getCrumbClear(this.#cookieJar).catch(() => {});
    }
    const errors = settled.flatMap((r) => r.status === "rejected" ? [r.reason as unknown] : []);
    if (errors.length === settled.length) throw this.#failure(errors);
    if (errors.length === 0) this.#rateLimits = 0;
    const found = new Map<string, Quote>();
    const failed: string[] = [];
    settled.forEach((result, i) => {
      if (result.status === "rejected") failed.push(...chunks[i]!);
      else {
        for (const entry of result.value) {
          const quote = this.#toQuote(entry);
          if (quote) found.set(quote.ticker, quote);
        }
      }
    });
    const quotes: Quote[] = [];
    const unknown: string[] = [];
    const failedSet = new Set(failed);
    for (const symbol of symbols) {
      const quote = found.get(symbol);
      if (quote) quotes.push(quote);
      else if (!failedSet.has(symbol)) unknown.push(symbol);
    }
    if (failed.length === 0) return { quotes, unknown };
    const failure = this.#failure(errors);
    failure.message = `${failure.message} (${errors.length} of ${chunks.length} requests)`;
    return { quotes, unknown, failed, failure };
  }

  /** One error for a fetch's failed requests: a rate limit wins, else the first. */
  #failure(errors: unknown[]): Error {
    const limited = errors.find((e) => e instanceof YahooRateLimitError);
    if (limited) return new YahooRateLimitError(limited.retryAt, { cause: limited.cause });
    const error = errors[0];
    const reason = _excerpt(error instanceof Error ? error.message : String(error));
    return new Error(`Cannot fetch prices from Yahoo Finance: ${reason}`, { cause: error });
  }

  /**
   * One HTTP exchange for yahoo-finance2: no request while backing off; a 429 starts the backoff;
   * a 401/403 marks the session refused; an error status or an unparseable quote answer becomes
   * an error with a short excerpt (yahoo-finance2 would quote the whole body and print the URL on
   * the console); Yahoo's own JSON errors pass through for yahoo-finance2 to read.
   */
  async #exchange(
    fetch: typeof globalThis.fetch,
    input: string | URL | Request,
    init: RequestInit,
  ): Promise<Response> {
    const blocked = this.retryAt;
    if (blocked) throw new YahooRateLimitError(blocked);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await fetch(input, init);
    const { status, statusText } = response;
    if (status === 429) {
      await response.body?.cancel();
      const retryAt = this.#backOff(response.headers.get("retry-after"));
      this.#logger.warn("Yahoo Finance rate limit (HTTP 429): backing off", {
        path: url.pathname,
        retryAt: retryAt.toISOString(),
      });
      throw new YahooRateLimitError(retryAt);
    }
    if (status === 401 || status === 403) this.#sessionRefused = true;
    const quoteApi = url.pathname.startsWith("/v7/finance/quote");
    if (status < 400 && !(quoteApi && response.ok)) return response;
    const text = await response.text();
    const again = () => new Response(text, { status, statusText, headers: response.headers });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) {
      if (json !== undefined) return again();
      throw new _YahooHttpError(
        status,
        `answer is not JSON (HTTP ${status}, ${text.length} characters): ${_excerpt(text)}`,
      );
    }
    if (_isYahooError(json)) return again();
    this.#logger.warn("Yahoo Finance request failed", { path: url.pathname, status });
    throw new _YahooHttpError(status, `HTTP ${status} ${statusText}: ${_excerpt(text)}`);
  }

  /** Starts (or extends) the backoff after a 429; returns when requests may resume. */
  #backOff(retryAfter: string | null): Date {
    const now = this.#now().getTime();
    this.#rateLimits++;
    let waitMs = this.#backoffMs * 2 ** Math.min(this.#rateLimits - 1, 20);
    if (retryAfter !== null && retryAfter.trim() !== "") {
      const seconds = Number(retryAfter);
      const at = Date.parse(retryAfter);
      if (Number.isFinite(seconds) && seconds >= 0) waitMs = seconds * 1000;
      else if (!Number.isNaN(at)) waitMs = at - now;
    }
    this.#retryAt = now + Math.min(this.#maxBackoffMs, Math.max(1_000, waitMs));
    return new Date(this.#retryAt);
  }

  #toQuote(entry: _YahooQuote): Quote | undefined {
    const { symbol, regularMarketPrice: price, regularMarketTime: time, currency } = entry;
    if (typeof symbol !== "string" || typeof price !== "number") return undefined;
    if (!(Number.isFinite(price) && price > 0)) return undefined;
    // yahoo-finance2 turns epoch seconds into a Date while coercing; keep both forms working.
    const marketTime = time instanceof Date
      ? time
      : typeof time === "number"
      ? new Date(time * 1000)
      : undefined;
    const known = marketTime && !Number.isNaN(marketTime.getTime()) ? marketTime : undefined;
    const quote: Quote = { ticker: normalizeTicker(symbol), price, at: known ?? this.#now() };
    if (typeof currency === "string" && currency !== "") quote.currency = currency;
    if (known) quote.marketTime = known;
    return quote;
  }
}

/** Yahoo's JSON error answer, which yahoo-finance2 turns into an error of its description. */
function _isYahooError(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const values = Object.values(json);
  if (values.length !== 1) return false;
  const error = (values[0] as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === "string";
}

/** The start of `text`, whitespace collapsed, at most 120 characters. */
function _excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= _EXCERPT_CHARS ? flat : `${flat.slice(0, _EXCERPT_CHARS)}…`;
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
