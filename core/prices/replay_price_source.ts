/** A price source that replays recorded prices from a CSV file. */

import { isTicker } from "../domain/ticker.ts";
import type { PriceFetch, PriceSource } from "../collector/price_source.ts";
import { normalizeTicker, type Quote } from "../domain/quote.ts";

/** One row of a replay file. */
export interface ReplayRow {
  /** Upper-case ticker. */
  ticker: string;
  /** Price, > 0. */
  price: number;
  /** The row's timestamp, when the file gives one. */
  at?: Date;
  /** 1-based line number in the file, for messages. */
  line: number;
}

/** A replay file has a malformed row; `line` is its 1-based line number. */
export class ReplayCsvError extends Error {
  /** File name (or "<text>") as given to the parser. */
  readonly file: string;
  /** 1-based line number of the bad row. */
  readonly line: number;
  /**
   * Takes the file name, the 1-based line, what is wrong with it and `options.cause`; the message
   * becomes `file:line: message`.
   */
  constructor(file: string, line: number, message: string, options?: ErrorOptions) {
    super(`${file}:${line}: ${message}`, options);
    this.name = "ReplayCsvError";
    this.file = file;
    this.line = line;
  }
}

/**
 * Parses replay CSV: one `ticker,price[,timestamp]` row per line. Blank lines and lines starting
 * with `#` are skipped, as is a first line that is a header (`ticker,price…`). The timestamp is
 * ISO 8601 or Unix seconds.
 *
 * @param file a name for error messages
 * @throws {ReplayCsvError} for the first bad row, naming its line, e.g.
 * `prices.csv:4: price "abc" is not a number > 0`; also when no row is left.
 */
export function parseReplayCsv(text: string, file = "<text>"): ReplayRow[] {
  const rows: ReplayRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const content = lines[i]!.trim();
    if (content === "" || content.startsWith("#")) continue;
    const cells = content.split(",").map((c) => c.trim());
    if (rows.length === 0 && /^ticker$/i.test(cells[0] ?? "") && /^price$/i.test(cells[1] ?? "")) {
      continue;
    }
    if (cells.length < 2 || cells.length > 3) {
      throw new ReplayCsvError(
        file,
        line,
        `expected ticker,price[,timestamp], got ${cells.length} fields`,
      );
    }
    const ticker = normalizeTicker(cells[0]!);
    if (!isTicker(ticker)) {
      throw new ReplayCsvError(file, line, `ticker "${cells[0]}" is not a valid symbol`);
    }
    const price = cells[1] === "" ? NaN : Number(cells[1]);
    if (!(Number.isFinite(price) && price > 0)) {
      throw new ReplayCsvError(file, line, `price "${cells[1]}" is not a number > 0`);
    }
    const row: ReplayRow = { ticker, price, line };
    if (cells[2] !== undefined && cells[2] !== "") {
      const at = _parseTimestamp(cells[2]);
      if (!at) {
        throw new ReplayCsvError(
          file,
          line,
          `timestamp "${cells[2]}" is neither ISO 8601 nor Unix seconds`,
        );
      }
      row.at = at;
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new ReplayCsvError(file, lines.length, "no price rows");
  return rows;
}

function _parseTimestamp(raw: string): Date | undefined {
  if (/^\d+(\.\d+)?$/.test(raw)) return new Date(Number(raw) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw)) return undefined;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Options of {@linkcode ReplayPriceSource}. */
export interface ReplayPriceSourceOptions {
  /**
   * What a ticker gets once its rows are used up: `"hold"` repeats its last row (default),
   * `"unknown"` reports it as unknown.
   */
  whenExhausted?: "hold" | "unknown";
  /** Clock for rows without a timestamp. Default `() => new Date()`. */
  now?: () => Date;
  /** Currency of every quote. Default "USD". */
  currency?: string;
}

/**
 * Replays recorded prices: each `fetch` consumes, for every requested ticker, that ticker's next
 * row in file order. Tickers absent from the file are unknown. Quotes carry the configured
 * currency (default "USD") and no market time: a held row is evaluated again, as recorded.
 *
 * This is the `replay:<csv file>` value of `PRICE_SOURCE`.
 *
 * @example
 * ```ts
 * const source = await ReplayPriceSource.fromFile("tests/fixtures/prices.csv");
 * const { quotes } = await source.fetch(["AAPL"]); // AAPL's first row
 * ```
 */
export class ReplayPriceSource implements PriceSource {
  /** Always "replay". */
  readonly name = "replay";
  readonly #rows = new Map<string, ReplayRow[]>();
  readonly #next = new Map<string, number>();
  readonly #whenExhausted: "hold" | "unknown";
  readonly #now: () => Date;
  readonly #currency: string;

  /** Builds a source over already parsed rows (see {@linkcode parseReplayCsv}). */
  constructor(rows: readonly ReplayRow[], options: ReplayPriceSourceOptions = {}) {
    for (const row of rows) {
      const list = this.#rows.get(row.ticker) ?? [];
      list.push(row);
      this.#rows.set(row.ticker, list);
    }
    this.#whenExhausted = options.whenExhausted ?? "hold";
    this.#now = options.now ?? (() => new Date());
    this.#currency = options.currency ?? "USD";
  }

  /**
   * Reads and parses `path`.
   *
   * @throws {ReplayCsvError} for a bad row; `Deno.errors.NotFound` when the file is missing.
   */
  static async fromFile(
    path: string,
    options: ReplayPriceSourceOptions = {},
  ): Promise<ReplayPriceSource> {
    return new ReplayPriceSource(parseReplayCsv(await Deno.readTextFile(path), path), options);
  }

  /** Consumes the next row of each requested ticker. */
  fetch(tickers: readonly string[]): Promise<PriceFetch> {
    const now = this.#now();
    const quotes: Quote[] = [];
    const unknown: string[] = [];
    for (const ticker of new Set(tickers.map(normalizeTicker))) {
      const rows = this.#rows.get(ticker);
      const index = this.#next.get(ticker) ?? 0;
      if (!rows || (index >= rows.length && this.#whenExhausted === "unknown")) {
        unknown.push(ticker);
        continue;
      }
      const row = rows[Math.min(index, rows.length - 1)]!;
      this.#next.set(ticker, index + 1);
      quotes.push({ ticker, price: row.price, at: row.at ?? now, currency: this.#currency });
    }
    return Promise.resolve({ quotes, unknown });
  }
}
