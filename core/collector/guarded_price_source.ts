/** A price source behind a circuit breaker. */

import { CircuitBreaker } from "../runtime/circuit_breaker.ts";
import type { PriceFetch, PriceSource } from "./price_source.ts";

/** Options of {@linkcode GuardedPriceSource}. */
export interface GuardedPriceSourceOptions {
  /** The source to protect. */
  source: PriceSource;
  /** The breaker; default a `CircuitBreaker` named after the source with default settings. */
  breaker?: CircuitBreaker;
}

/**
 * Wraps a {@linkcode PriceSource} in a {@linkcode CircuitBreaker}: failed fetches (rejections)
 * are counted, and while the breaker is open `fetch` rejects with `CircuitBreakerOpenError`
 * without touching the source. Unknown symbols are a normal answer, not a failure.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ name: "yahoo", failureThreshold: 5, cooldownMs: 60_000 });
 * const source = new GuardedPriceSource({ source: new YahooPriceSource(), breaker });
 * ```
 */
export class GuardedPriceSource implements PriceSource {
  /** The wrapped source's name. */
  readonly name: string;
  readonly #source: PriceSource;
  readonly #breaker: CircuitBreaker;

  /** Takes the source to protect and, optionally, the breaker to use. */
  constructor(options: GuardedPriceSourceOptions) {
    this.#source = options.source;
    this.name = options.source.name;
    this.#breaker = options.breaker ?? new CircuitBreaker({ name: options.source.name });
  }

  /** The breaker, e.g. to read its state. */
  get breaker(): CircuitBreaker {
    return this.#breaker;
  }

  /**
   * Fetches through the breaker.
   *
   * @throws {CircuitBreakerOpenError} while the breaker is open; otherwise the source's error
   */
  fetch(tickers: readonly string[]): Promise<PriceFetch> {
    return this.#breaker.execute(() => this.#source.fetch(tickers));
  }
}
