/** The per-recipient cap on alert mails: at most N per hour, the rest counted and reported. */

/** What the cap remembers about one recipient (the port's record). */
export interface MailCapState {
  /** When the current one-hour window began (at the first mail after the previous one ended). */
  readonly windowStart: Date;
  /** Mails sent in the current window. */
  readonly sent: number;
  /** Alerts held back and not yet reported in a mail. */
  readonly heldBack: number;
}

/**
 * Where the cap's state lives, per recipient address (the port). It must survive restarts, so a
 * restarted notifier does not start a fresh hour.
 */
export interface MailCapStore {
  /** The state of `email`, undefined when it was never written. */
  get(email: string): Promise<MailCapState | undefined>;
  /** Writes the state of `email`, replacing what was there. */
  put(email: string, state: MailCapState): Promise<void>;
}

/** The verdict of {@linkcode MailCap.admit} for one alert. */
export type MailCapDecision =
  /** Send the mail, telling of `heldBack` alerts held back since the last mail; then {@linkcode MailCap.sent}. */
  | { readonly send: true; readonly heldBack: number; readonly state: MailCapState }
  /** The recipient reached the cap: the alert was counted as held back, send nothing. */
  | { readonly send: false; readonly heldBack: number };

/** Options of {@linkcode MailCap}. */
export interface MailCapOptions {
  /** Where the state is kept. */
  store: MailCapStore;
  /** Mails per recipient per hour at most; 0 turns the cap off. */
  maxPerHour: number;
  /** Clock; default the system clock. */
  now?: () => Date;
}

const _HOUR_MS = 3_600_000;

/**
 * Caps the alert mails of one address at `maxPerHour` per window of one hour (the window starts
 * with the first mail after the previous window ended). An alert over the cap is not mailed but
 * counted; the next mail to that address says how many were held back, and the count starts
 * again. A recipient's alerts must be handled one at a time (the notifier's consumer keys them by
 * address), as the state is read, then written.
 *
 * @example
 * ```ts
 * const cap = new MailCap({ store, maxPerHour: 20 });
 * const decision = await cap.admit(alert.email);
 * if (decision.send) {
 *   await mailer.send(alertMail(alert, { heldBack: decision.heldBack }));
 *   await cap.sent(alert.email, decision);
 * }
 * ```
 */
export class MailCap {
  readonly #store: MailCapStore;
  readonly #max: number;
  readonly #now: () => Date;
  // States read ahead by `prefetch`, kept equal to the store by this cap's own writes.
  readonly #primed = new Map<string, MailCapState | undefined>();

  /** Takes the store, the hourly maximum (0: off) and an optional clock. */
  constructor(options: MailCapOptions) {
    if (!Number.isInteger(options.maxPerHour) || options.maxPerHour < 0) {
      throw new RangeError(
        `Cannot create mail cap: maxPerHour must be an integer ≥ 0, got ${options.maxPerHour}`,
      );
    }
    this.#store = options.store;
    this.#max = options.maxPerHour;
    this.#now = options.now ?? (() => new Date());
  }

  /** Mails per recipient per hour at most; 0 when the cap is off. */
  get maxPerHour(): number {
    return this.#max;
  }

  /** Whether the cap is on (a maximum above 0). */
  get enabled(): boolean {
    return this.#max > 0;
  }

  /**
   * Decides whether an alert to `email` may be mailed now; when not, counts it as held back
   * (written to the store before this resolves).
   */
  async admit(email: string): Promise<MailCapDecision> {
    const now = this.#now();
    if (!this.enabled) {
      return { send: true, heldBack: 0, state: { windowStart: now, sent: 0, heldBack: 0 } };
    }
    const stored = this.#primed.has(email) ? this.#primed.get(email) : await this.#store.get(email);
    const state: MailCapState = !stored || now.getTime() - stored.windowStart.getTime() >= _HOUR_MS
      ? { windowStart: now, sent: 0, heldBack: stored?.heldBack ?? 0 }
      : stored;
    if (state.sent < this.#max) {
      return { send: true, heldBack: state.heldBack, state };
    }
    const heldBack = state.heldBack + 1;
    await this.#put(email, { ...state, heldBack });
    return { send: false, heldBack };
  }

  /**
   * Records that the mail admitted by `decision` was accepted and told of its held-back count (no-op when
   * the cap is off).
   */
  async sent(email: string, decision: MailCapDecision & { send: true }): Promise<void> {
    if (!this.enabled) return;
    const { state } = decision;
    await this.#put(email, {
      windowStart: state.windowStart,
      sent: state.sent + 1,
      heldBack: Math.max(0, state.heldBack - decision.heldBack),
    });
  }

  /**
   * Reads the states of `emails` ahead, in one go (one statement for a chunk of alerts with a
   * batching store), for the `admit` calls that follow; this cap's own writes keep them current,
   * a failed write drops them. Only for recipients whose alerts this process alone handles until
   * {@linkcode MailCap.forget} (the notifier's consumer: one partition per recipient).
   */
  async prefetch(emails: readonly string[]): Promise<void> {
    if (!this.enabled) return;
    const unique = [...new Set(emails)];
    const states = await Promise.all(unique.map((email) => this.#store.get(email)));
    unique.forEach((email, i) => this.#primed.set(email, states[i]));
  }

  /** Drops what {@linkcode MailCap.prefetch} read for `emails`. */
  forget(emails: readonly string[]): void {
    for (const email of emails) this.#primed.delete(email);
  }

  async #put(email: string, state: MailCapState): Promise<void> {
    try {
      await this.#store.put(email, state);
    } catch (err) {
      this.#primed.delete(email); // the store may or may not hold it: read it again next time
      throw err;
    }
    if (this.#primed.has(email)) this.#primed.set(email, state);
  }
}
