/** A deterministic price source for demos, tests and benchmarks: a seeded random walk. */

import { isTicker } from "../domain/ticker.ts";
import type { PriceFetch, PriceSource } from "../collector/price_source.ts";
import { normalizeTicker, type Quote } from "../domain/quote.ts";

/** Scripted price paths: ticker → the price of its 1st, 2nd, … cycle. */
export type PriceScripts = Readonly<Record<string, readonly number[]>>;

/** Options of {@linkcode SyntheticPriceSource}. */
export interface SyntheticPriceSourceOptions {
  /** Seed of the random walk; the same seed gives the same prices. Default 42. */
  seed?: number | string;
  /** Relative size of one step (0.02 = moves of up to about ±3.5 % per cycle). Default 0.02. */
  volatility?: number;
  /**
   * Fixed price paths per ticker: cycle i gets `script[i]`, and the last value holds after the
   * end. Tickers without a script follow the random walk.
   */
  scripts?: PriceScripts;
  /** Tickers reported as unknown, to exercise the collector's skip path. Default none. */
  unknownTickers?: readonly string[];
  /** Cycle index of each ticker's first fetch (lets a restarted collector resume). Default 0. */
  startCycle?: number;
  /** Clock for the quotes' `at`. Default `() => new Date()`. */
  now?: () => Date;
  /** Currency of every quote. Default "USD". */
  currency?: string;
}

/**
 * Prices from a deterministic seeded random walk, one step per cycle and ticker, or from a
 * scripted path. The same seed, ticker and cycle index always give the same price; prices are
 * rounded to 2 decimals and stay ≥ 0.01. Quotes carry the configured currency (default "USD")
 * and no market time, so the collector never takes them for a closed market's repeats.
 *
 * A ticker's cycle index counts the `fetch` calls that asked for it, starting at `startCycle`,
 * so a ticker subscribed later starts its script at the beginning.
 *
 * @example
 * ```ts
 * const source = new SyntheticPriceSource({ scripts: { AAPL: [100, 120, 125, 90] } });
 * (await source.fetch(["AAPL"])).quotes[0]?.price; // 100
 * (await source.fetch(["AAPL"])).quotes[0]?.price; // 120
 * ```
 */
export class SyntheticPriceSource implements PriceSource {
  /** Always "synthetic". */
  readonly name = "synthetic";
  readonly #seed: string;
  readonly #volatility: number;
  readonly #scripts: Map<string, readonly number[]>;
  readonly #unknown: Set<string>;
  readonly #startCycle: number;
  readonly #now: () => Date;
  readonly #currency: string;
  /** Per ticker: the next cycle index and the walk's price at the previous index. */
  readonly #walks = new Map<string, { next: number; last: number }>();

  /**
   * Validates `options`; each ticker's cycle index starts at `startCycle` on its first fetch.
   *
   * @throws {RangeError} when `volatility` is outside (0, 0.5], `startCycle` is not a
   * non-negative integer, or a script is empty or holds a price that is not finite and > 0.
   */
  constructor(options: SyntheticPriceSourceOptions = {}) {
    const volatility = options.volatility ?? 0.02;
    if (!(volatility > 0 && volatility <= 0.5)) {
      throw new RangeError(`Cannot create synthetic source: volatility must be in (0, 0.5]`);
    }
    const startCycle = options.startCycle ?? 0;
    if (!Number.isInteger(startCycle) || startCycle < 0) {
      throw new RangeError(`Cannot create synthetic source: startCycle must be an integer ≥ 0`);
    }
    this.#seed = String(options.seed ?? 42);
    this.#volatility = volatility;
    this.#startCycle = startCycle;
    this.#now = options.now ?? (() => new Date());
    this.#currency = options.currency ?? "USD";
    this.#unknown = new Set((options.unknownTickers ?? []).map(normalizeTicker));
    this.#scripts = new Map();
    for (const [ticker, path] of Object.entries(options.scripts ?? {})) {
      _assertScript(ticker, path);
      this.#scripts.set(normalizeTicker(ticker), [...path]);
    }
  }

  /** Returns one quote per ticker (advancing each ticker's cycle) and the unknown ones. */
  fetch(tickers: readonly string[]): Promise<PriceFetch> {
    const at = this.#now();
    const quotes: Quote[] = [];
    const unknown: string[] = [];
    for (const ticker of new Set(tickers.map(normalizeTicker))) {
      if (this.#unknown.has(ticker)) {
        unknown.push(ticker);
        continue;
      }
      quotes.push({ ticker, price: this.#advance(ticker), at, currency: this.#currency });
    }
    return Promise.resolve({ quotes, unknown });
  }

  /**
   * The price of `ticker` at cycle index `cycle`, without advancing anything: a pure function
   * of the seed, the ticker and the index.
   */
  priceAt(ticker: string, cycle: number): number {
    const t = normalizeTicker(ticker);
    const script = this.#scripts.get(t);
    if (script) return script[Math.min(cycle, script.length - 1)]!;
    let price = this.#startPrice(t);
    for (let i = 1; i <= cycle; i++) price = this.#step(t, i, price);
    return price;
  }

  #advance(ticker: string): number {
    const script = this.#scripts.get(ticker);
    let walk = this.#walks.get(ticker);
    if (!walk) {
      walk = { next: this.#startCycle, last: NaN };
      this.#walks.set(ticker, walk);
    }
    const cycle = walk.next++;
    if (script) return script[Math.min(cycle, script.length - 1)]!;
    walk.last = Number.isNaN(walk.last)
      ? this.priceAt(ticker, cycle)
      : this.#step(ticker, cycle, walk.last);
    return walk.last;
  }

  /** A start price in [10, 500), fixed by seed and ticker. */
  #startPrice(ticker: string): number {
    return _round2(10 + 490 * _uniform(`${this.#seed}|${ticker}|start`));
  }

  /** The walk's price at `cycle` given its price at `cycle - 1`. */
  #step(ticker: string, cycle: number, previous: number): number {
    // Uniform in [-√3, √3): unit variance, bounded so a step never crosses zero.
    const z = (_uniform(`${this.#seed}|${ticker}|${cycle}`) * 2 - 1) * Math.sqrt(3);
    return Math.max(0.01, _round2(previous * (1 + this.#volatility * z)));
  }
}

/**
 * Parses price scripts from one string, so an environment variable can carry them:
 * `"AAPL=100,120,125;MSFT=50,40"` → `{ AAPL: [100, 120, 125], MSFT: [50, 40] }`
 * (`"EURUSD=X=1.1,1.2"` works too: the last `=` splits).
 * Whitespace is ignored, tickers are upper-cased, an empty string gives `{}`.
 *
 * @throws {SyntaxError} naming the entry at fault, e.g.
 * `Cannot parse price script "MSFT=50,x": "x" is not a price > 0`.
 * Executables turn it into a `ConfigError` naming their variable.
 */
export function parsePriceScripts(text: string): Record<string, number[]> {
  const scripts: Record<string, number[]> = {};
  for (const raw of text.split(";")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const eq = entry.lastIndexOf("="); // tickers may hold "=" (EURUSD=X), prices never do
    const ticker = normalizeTicker(eq < 0 ? "" : entry.slice(0, eq));
    if (eq < 0 || !isTicker(ticker)) {
      throw new SyntaxError(`Cannot parse price script "${entry}": expected TICKER=p1,p2,…`);
    }
    if (ticker in scripts) {
      throw new SyntaxError(`Cannot parse price script "${entry}": ${ticker} is scripted twice`);
    }
    const prices = entry.slice(eq + 1).split(",").map((p) => p.trim());
    scripts[ticker] = prices.map((p) => {
      const n = p === "" ? NaN : Number(p);
      if (!(Number.isFinite(n) && n > 0)) {
        throw new SyntaxError(`Cannot parse price script "${entry}": "${p}" is not a price > 0`);
      }
      return n;
    });
  }
  return scripts;
}

function _assertScript(ticker: string, path: readonly number[]): void {
  if (path.length === 0) {
    throw new RangeError(`Cannot create synthetic source: the script of ${ticker} is empty`);
  }
  for (const p of path) {
    if (!(Number.isFinite(p) && p > 0)) {
      throw new RangeError(`Cannot create synthetic source: ${ticker} has price ${p}, not > 0`);
    }
  }
}

function _round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A uniform number in [0, 1) derived from `key` (FNV-1a, then a splitmix32 finaliser). */
function _uniform(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
