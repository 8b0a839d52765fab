import { LRUCache } from "lru-cache";
import type { Outcome } from "./outcome.ts";

/** Options of {@linkcode RequestCache}. */
export interface RequestCacheOptions {
  /** Most entries kept; default 10,000 (the original's). */
  maxEntries?: number;
  /** How long an entry lives; default 600,000 ms (the original's 600 s). */
  ttlMs?: number;
}

/** A stored outcome with the fingerprint of the request that produced it. */
export interface CachedOutcome {
  readonly fingerprint: string;
  readonly outcome: Outcome;
}

/**
 * The in-memory LRU with TTL in front of the ledger: repeats within the TTL are answered
 * without a database round trip. The ledger in MySQL stays the source of truth.
 */
export class RequestCache {
  readonly #lru: LRUCache<string, CachedOutcome>;
  constructor({ maxEntries = 10_000, ttlMs = 600_000 }: RequestCacheOptions = {}) {
    this.#lru = new LRUCache({ max: maxEntries, ttl: ttlMs, ttlAutopurge: false });
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
