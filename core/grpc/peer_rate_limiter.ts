/** A per-peer rate limit for gRPC calls (RegisterUser): RESOURCE_EXHAUSTED with a retry hint. */
import * as grpc from "@grpc/grpc-js";
import { LRUCache } from "lru-cache";

/** What {@linkcode PeerRateLimiter.take} answers: allowed, or when to try again. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Options of {@linkcode PeerRateLimiter}. */
export interface PeerRateLimiterOptions {
  /** Calls per minute one peer address may make (also the burst); must be ≥ 1. */
  perMinute: number;
  /** Peer addresses remembered at most (least recently seen go first); default 100 000. */
  maxPeers?: number;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}

interface _Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per peer address (the host, without the port, so new connections do not reset
 * it): `perMinute` calls at once, then one more every `60 000 / perMinute` ms.
 *
 * @example
 * ```ts
 * const limiter = new PeerRateLimiter({ perMinute: 30 });
 * limiter.take("10.0.0.7"); // { allowed: true }
 * ```
 */
export class PeerRateLimiter {
  readonly #perMinute: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #buckets: LRUCache<string, _Bucket>;

  /**
   * Takes the rate, the most peers remembered and an optional clock.
   *
   * @throws {RangeError} when `perMinute` is not an integer ≥ 1
   */
  constructor(options: PeerRateLimiterOptions) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1) {
      throw new RangeError(
        `Cannot create rate limiter: perMinute must be an integer ≥ 1, got ${options.perMinute}`,
      );
    }
    this.#perMinute = options.perMinute;
    this.#intervalMs = 60_000 / options.perMinute;
    this.#now = options.now ?? Date.now;
    this.#buckets = new LRUCache({ max: options.maxPeers ?? 100_000 });
  }

  /** Takes one call from `peer`'s bucket, or says in how many ms the next one is allowed. */
  take(peer: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(peer) ?? { tokens: this.#perMinute, at: now };
    const refilled = Math.min(
      this.#perMinute,
      bucket.tokens + (now - bucket.at) / this.#intervalMs,
    );
    if (refilled >= 1) {
      this.#buckets.set(peer, { tokens: refilled - 1, at: now });
      return { allowed: true };
    }
    this.#buckets.set(peer, { tokens: refilled, at: now });
    return { allowed: false, retryAfterMs: Math.ceil((1 - refilled) * this.#intervalMs) };
  }
}

/** The host of a grpc-js peer string: `"127.0.0.1:5123"` → `"127.0.0.1"`, `"[::1]:5123"` → `"::1"`. */
export function peerHost(peer: string): string {
  const withoutScheme = peer.replace(/^(ipv4|ipv6|unix):/, "");
  const match = /^\[?(.*?)\]?:\d+$/.exec(withoutScheme);
  return match?.[1] ?? withoutScheme;
}

/**
 * Wraps a unary `handler` so each call first takes a token from `limiter` for its peer's host; a
 * refused call ends with RESOURCE_EXHAUSTED, a message saying when to retry, and the trailing
 * metadata `retry-after` (whole seconds, as in HTTP). Refused calls are observed by `metrics`.
 */
export function rateLimitedByPeer<Req, Res>(
  handler: grpc.handleUnaryCall<Req, Res>,
  { limiter, method, metrics }: {
    limiter: PeerRateLimiter;
    method: string;
    /** Observes each refused call (a {@linkcode GrpcMetrics} fits). */
    metrics?: { observe(method: string, code: number, millis: number): void } | undefined;
  },
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const decision = limiter.take(peerHost(call.getPeer()));
    if (decision.allowed) return handler(call, callback);
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    const metadata = new grpc.Metadata();
    metadata.set("retry-after", String(seconds));
    metrics?.observe(method, grpc.status.RESOURCE_EXHAUSTED, 0);
    callback({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: `Too many ${method} calls from this address: retry in ${seconds} s`,
      metadata,
    });
  };
}
