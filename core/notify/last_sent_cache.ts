/** The original's anti-spam cache: do not mail the same price twice for the same condition. */

import { LRUCache } from "lru-cache";
import type { Alert } from "../domain/alert.ts";

/** The alert fields the cache compares (an {@linkcode Alert} has them all). */
export type LastSentKey = Pick<
  Alert,
  "email" | "ticker" | "thresholdType" | "thresholdValue" | "price"
>;

/** Options of {@linkcode LastSentCache}. */
export interface LastSentCacheOptions {
  /** Conditions remembered at most; the least recently used is forgotten first. Default 100 000. */
  max?: number;
  /** How long a remembered price suppresses mail, in ms; 0 = until evicted. Default 24 h. */
  ttlMs?: number;
  /** Clock in milliseconds (inject fake time in tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Remembers, per (email, ticker, condition), the price last mailed; a condition is the
 * threshold's type and value, so changing a threshold is a new condition. `shouldSend` is false
 * when email, ticker, condition and price all match the last mail: the original's rule against
 * mailing the same alert again. Bounded (LRU) and with a time to live, so memory stays flat.
 *
 * In-memory and per process: the notifier's idempotency record per alert id is what survives
 * restarts; this cache only spares repeats in a running notifier.
 *
 * @example
 * ```ts
 * const cache = new LastSentCache();
 * if (cache.shouldSend(alert)) {
 *   await mailer.send(renderAlertEmail(alert));
 *   cache.remember(alert);
 * }
 * ```
 */
export class LastSentCache {
  readonly #cache: LRUCache<string, number>;

  /**
   * Creates an empty cache bounded by `options.max` conditions and `options.ttlMs`.
   *
   * @throws {RangeError} when `max` is not an integer ≥ 1 or `ttlMs` is not a finite number ≥ 0
   */
  constructor(options: LastSentCacheOptions = {}) {
    const max = options.max ?? 100_000;
    const ttl = options.ttlMs ?? 24 * 60 * 60 * 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError("Cannot create last-sent cache: max must be an integer ≥ 1");
    }
    if (!(Number.isFinite(ttl) && ttl >= 0)) {
      throw new RangeError("Cannot create last-sent cache: ttlMs must be ≥ 0");
    }
    const now = options.now ?? Date.now;
    this.#cache = new LRUCache<string, number>({
      max,
      ttl,
      ttlResolution: 0,
      perf: { now },
    });
  }

  /** False when the last mail for this email, ticker and condition carried the same price. */
  shouldSend(alert: LastSentKey): boolean {
    return this.#cache.get(_key(alert)) !== alert.price;
  }

  /** Records that `alert` was mailed. */
  remember(alert: LastSentKey): void {
    this.#cache.set(_key(alert), alert.price);
  }

  /** Conditions currently remembered. */
  get size(): number {
    return this.#cache.size;
  }
}

function _key(a: LastSentKey): string {
  return `${a.email.toLowerCase()}\u0000${a.ticker.toUpperCase()}\u0000${a.thresholdType}\u0000${a.thresholdValue}`;
}
