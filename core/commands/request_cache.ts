import { LRUCache } from "lru-cache";
import type { Outcome } from "./outcome.ts";

/** Options of {@linkcode RequestCache}. */
export interface RequestCacheOptions {
  /** Most entries kept; default 10,000 (the original's). */
  maxEntries?: number;
  /** How long an entry lives; default 600,000 ms (the original's 600 s). */
  ttlMs?: number;
  /**
   * The clock entries age by, in milliseconds, always above 0 (lru-cache reads a time of 0 as
   * "no TTL"); default `performance.now`. Tests pass their own and move it instead of sleeping.
   */
  now?: () => number;
}

/** A stored outcome with the fingerprint of the request that produced it. */
export interface CachedOutcome {
  /** Hash of the normalised request; a repeat with another fingerprint is a conflict. */
  readonly fingerprint: string;
  /** The outcome the request produced. */
  readonly outcome: Outcome;
}

/**
 * The in-memory LRU with TTL in front of the ledger: repeats within the TTL are answered
 * without a database round trip. The ledger in MySQL stays the source of truth.
 *
 * @example
 * ```ts
 * let now = 1;
 * const cache = new RequestCache({ ttlMs: 1_000, now: () => now });
 * cache.set("r1", { fingerprint: "f", outcome: Outcome.ok("done") });
 * now += 1_001;
 * cache.get("r1"); // undefined: expired
 * ```
 */
export class RequestCache {
  readonly #lru: LRUCache<string, CachedOutcome>;
  /** Takes the size, TTL and clock; every option has a default. */
  constructor(
    { maxEntries = 10_000, ttlMs = 600_000, now = () => performance.now() }: RequestCacheOptions =
      {},
  ) {
    // ttlResolution 0: ask the clock on every check (no cached "now", and no timer behind it).
    this.#lru = new LRUCache({
      max: maxEntries,
      ttl: ttlMs,
      ttlAutopurge: false,
      ttlResolution: 0,
      perf: { now },
    });
  }
  /** The cached outcome of `requestId`, if any. */
  get(requestId: string): CachedOutcome | undefined {
    return this.#lru.get(requestId);
  }
  /** Remembers the outcome of `requestId`. */
  set(requestId: string, value: CachedOutcome): void {
    this.#lru.set(requestId, value);
  }
  /** Number of entries. */
  get size(): number {
    return this.#lru.size;
  }
}
