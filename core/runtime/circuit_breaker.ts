/** A circuit breaker: stop calling a failing dependency for a while, then try it again. */

/** The state of a {@linkcode CircuitBreaker}. */
export type CircuitState = "closed" | "open" | "half-open";

/** What {@linkcode CircuitBreakerOptions.onStateChange} receives. */
export interface CircuitStateChange {
  /** The breaker's name. */
  name: string;
  /** State before the change. */
  from: CircuitState;
  /** State after the change. */
  to: CircuitState;
  /** Consecutive failures counted when the change happened. */
  failures: number;
  /** When the breaker lets a trial call through again (set when `to` is "open"). */
  retryAt?: Date;
  /** The failure that opened the breaker (set when `to` is "open"). */
  error?: unknown;
}

/** Options of {@linkcode CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Name for messages and logs. Default "circuit". */
  name?: string;
  /** Consecutive failures that open a closed breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker rejects calls before it lets one trial through. Default 60 000 ms. */
  cooldownMs?: number;
  /** Clock in milliseconds (inject fake time in tests). Default `Date.now`. */
  now?: () => number;
  /** Called on every state change, e.g. to log it. Must not throw. */
  onStateChange?: (change: CircuitStateChange) => void;
}

/**
 * Thrown by {@linkcode CircuitBreaker.execute} instead of calling the function while the breaker
 * is open (or while its half-open trial call is in flight).
 */
export class CircuitBreakerOpenError extends Error {
  /** When the breaker will let a trial call through. */
  readonly retryAt: Date;
  /** The breaker's name. */
  readonly breaker: string;
  /** Takes the breaker's name and when it lets a trial call through. */
  constructor(breaker: string, retryAt: Date) {
    super(`Circuit breaker "${breaker}" is open; next trial at ${retryAt.toISOString()}`);
    this.name = "CircuitBreakerOpenError";
    this.breaker = breaker;
    this.retryAt = retryAt;
  }
}

/**
 * Guards calls to a dependency. Closed: calls go through and consecutive failures (rejections
 * or throws) are counted; a success resets the count. After `failureThreshold` consecutive
 * failures it opens: calls fail fast with {@linkcode CircuitBreakerOpenError}. After `cooldownMs`
 * it is half-open: exactly one trial call goes through; its success closes the breaker, its
 * failure opens it for another cool-down.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ name: "yahoo", onStateChange: (c) => log.warn("breaker", c) });
 * const prices = await breaker.execute(() => source.fetch(["AAPL"]));
 * ```
 */
export class CircuitBreaker {
  readonly #name: string;
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: (change: CircuitStateChange) => void;
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  /**
   * Creates a closed breaker; every option has a default.
   *
   * @throws {RangeError} when `failureThreshold` is not an integer ≥ 1 or `cooldownMs` < 0.
   */
  constructor(options: CircuitBreakerOptions = {}) {
    const threshold = options.failureThreshold ?? 5;
    const cooldownMs = options.cooldownMs ?? 60_000;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError(
        "Cannot create circuit breaker: failureThreshold must be an integer ≥ 1",
      );
    }
    if (!(Number.isFinite(cooldownMs) && cooldownMs >= 0)) {
      throw new RangeError("Cannot create circuit breaker: cooldownMs must be ≥ 0");
    }
    this.#name = options.name ?? "circuit";
    this.#threshold = threshold;
    this.#cooldownMs = cooldownMs;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange ?? (() => {});
  }

  /** The current state; an open breaker whose cool-down is over reports (and becomes) half-open. */
  get state(): CircuitState {
    this.#refresh();
    return this.#state;
  }

  /** Consecutive failures counted so far. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Calls `fn` unless the breaker is open, and counts its outcome.
   *
   * @returns what `fn` returns
   * @throws {CircuitBreakerOpenError} without calling `fn` when open (or when a half-open trial
   * is already in flight); otherwise rethrows whatever `fn` throws
   */
  async execute<T>(fn: () => T | Promise<T>): Promise<T> {
    this.#refresh();
    if (this.#state === "open" || (this.#state === "half-open" && this.#trialInFlight)) {
      throw new CircuitBreakerOpenError(this.#name, this.#retryAt());
    }
    const trial = this.#state === "half-open";
    if (trial) this.#trialInFlight = true;
    try {
      const result = await fn();
      this.#onSuccess();
      return result;
    } catch (error) {
      this.#onFailure(error);
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #retryAt(): Date {
    return new Date(this.#state === "open" ? this.#openedAt + this.#cooldownMs : this.#now());
  }

  #refresh(): void {
    if (this.#state === "open" && this.#now() >= this.#openedAt + this.#cooldownMs) {
      this.#transition("half-open");
    }
  }

  #onSuccess(): void {
    // A call that started before the breaker opened does not cut the cool-down short.
    if (this.#state === "open") return;
    this.#failures = 0;
    if (this.#state === "half-open") this.#transition("closed");
  }

  #onFailure(error: unknown): void {
    this.#failures++;
    if (this.#state === "half-open" || this.#failures >= this.#threshold) {
      if (this.#state === "open") return;
      this.#openedAt = this.#now();
      this.#transition("open", error);
    }
  }

  #transition(to: CircuitState, error?: unknown): void {
    const from = this.#state;
    this.#state = to;
    const change: CircuitStateChange = { name: this.#name, from, to, failures: this.#failures };
    if (to === "open") {
      change.retryAt = this.#retryAt();
      change.error = error;
    }
    this.#onStateChange(change);
  }
}
