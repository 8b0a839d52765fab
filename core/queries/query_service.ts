import { type Email, parseEmail } from "../domain/email.ts";
import { NotFoundError } from "../domain/not_found_error.ts";
import type { Ticker } from "../domain/ticker.ts";
import { ValidationError } from "../domain/validation_error.ts";
import type { PriceHistory } from "./price_history.ts";
import type { UnknownTickerMarks } from "./unknown_ticker_marks.ts";

/** Most quotes GetAverageValue averages; a larger `count` averages this many at most. */
export const MAX_AVERAGE_COUNT = 10_000;

/** Answer of {@linkcode QueryService.latest}. */
export interface LatestValue {
  /** The user's e-mail address, normalised (trimmed, lower-case). */
  readonly email: string;
  /** The ticker the user follows. */
  readonly ticker: Ticker;
  /** The newest price of the ticker. */
  readonly value: number;
  /** When that price was quoted. */
  readonly at: Date;
  /** The price's currency ("USD", "GBp"), when the source gave one. */
  readonly currency?: string;
}

/** Answer of {@linkcode QueryService.average}. */
export interface AverageValue {
  /** The user's e-mail address, normalised (trimmed, lower-case). */
  readonly email: string;
  /** The ticker the user follows. */
  readonly ticker: Ticker;
  /** Arithmetic mean of the averaged prices. */
  readonly average: number;
  /** How many quotes were averaged; fewer than asked when fewer exist. */
  readonly count: number;
  /** The currency of the ticker's newest quote ("USD", "GBp"), when the source gave one. */
  readonly currency?: string;
}

/**
 * The read side: the latest quote and the average of the latest N quotes of the user's ticker.
 *
 * @throws {ValidationError} for a bad e-mail or count
 * @throws {NotFoundError} when the user or the ticker's data is missing
 */
export class QueryService {
  readonly #history: PriceHistory;
  readonly #unknownTickers: UnknownTickerMarks | undefined;
  /**
   * Takes the read model the answers come from and, optionally, the collector's marks of symbols
   * the price source does not know (a ticker without quotes is then "unknown", not "not yet").
   */
  constructor(
    { history, unknownTickers }: {
      history: PriceHistory;
      unknownTickers?: UnknownTickerMarks | undefined;
    },
  ) {
    this.#history = history;
    this.#unknownTickers = unknownTickers;
  }

  /** The newest quote of the user's ticker. */
  async latest(input: { email?: string | undefined }): Promise<LatestValue> {
    const email = parseEmail(input.email, "get latest value");
    // One read for the user's ticker and its newest quote.
    const found = await this.#history.latestOf(email);
    if (!found) throw _notRegistered(email);
    const { ticker, quote } = found;
    if (!quote) throw await this.#noQuotes(ticker);
    const latest = { email, ticker, value: quote.price, at: quote.at };
    return quote.currency ? { ...latest, currency: quote.currency } : latest;
  }

  /**
   * Mean of the newest `count` quotes of the user's ticker, or of as many as exist (at most
   * {@linkcode MAX_AVERAGE_COUNT}); the answer's `count` says how many were averaged.
   */
  async average(
    input: { email?: string | undefined; count?: number | undefined },
  ): Promise<AverageValue> {
    const action = "get average value";
    const email = parseEmail(input.email, action);
    const count = input.count ?? 0;
    if (!Number.isInteger(count) || count < 1) {
      throw new ValidationError(
        `Cannot ${action}: count must be a positive integer, got ${count}`,
        "count",
      );
    }
    const ticker = await this.#tickerOf(email);
    const result = await this.#history.average(ticker, Math.min(count, MAX_AVERAGE_COUNT));
    if (result.count === 0) throw await this.#noQuotes(ticker);
    const average = { email, ticker, average: result.average, count: result.count };
    const currency = await this.#history.currencyOf(ticker);
    return currency ? { ...average, currency } : average;
  }

  async #noQuotes(ticker: Ticker): Promise<NotFoundError> {
    return await this.#unknownTickers?.isUnknown(ticker)
      ? new NotFoundError(`unknown ticker ${ticker}: the price source does not know it`)
      : new NotFoundError(`no quotes collected for ${ticker} yet`);
  }

  async #tickerOf(email: Email): Promise<Ticker> {
    const ticker = await this.#history.tickerOf(email);
    if (!ticker) throw _notRegistered(email);
    return ticker;
  }
}

function _notRegistered(email: Email): NotFoundError {
  return new NotFoundError(`user ${email} is not registered`);
}
