import type { ConsentLinks } from "../domain/consent_links.ts";
import type { Email } from "../domain/email.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import type { ConsentStore } from "./consent_store.ts";

/** How following a confirmation link ended. */
export type ConfirmResult =
  | { readonly outcome: "confirmed"; readonly email: Email }
  /** The link's time is over; registering again (after deleting) sends a new one. */
  | { readonly outcome: "expired"; readonly email: Email }
  /** Signature fine, but nothing pending matches: the link was used or superseded. */
  | { readonly outcome: "used"; readonly email: Email }
  /** Not a link we signed. */
  | { readonly outcome: "invalid" };

/** How an unsubscribe ended. */
export type UnsubscribeResult =
  | { readonly outcome: "unsubscribed" | "not-subscribed"; readonly email: Email }
  | { readonly outcome: "invalid" };

/** Dependencies of {@linkcode ConsentService}. */
export interface ConsentServiceDeps {
  /** Reads the signed links. */
  links: ConsentLinks;
  /** Stores confirmations and unsubscriptions. */
  store: ConsentStore;
  /** Default silent. Tokens are never logged. */
  logger?: Logger;
  /** Default the system clock. */
  now?: () => Date;
}

/**
 * What the links in consent mails do: a confirmation link confirms its address once, before it
 * expires; an unsubscribe link removes the subscription at once. A token with a bad signature is
 * refused without touching the store.
 *
 * @example
 * ```ts
 * const consent = new ConsentService({ links, store: new MysqlConsentStore(db) });
 * (await consent.confirm(token)).outcome; // "confirmed"
 * ```
 */
export class ConsentService {
  readonly #links: ConsentLinks;
  readonly #store: ConsentStore;
  readonly #log: Logger;
  readonly #now: () => Date;

  /** Takes the links, the store, and optionally a logger and a clock. */
  constructor({ links, store, logger = silentLogger, now = () => new Date() }: ConsentServiceDeps) {
    this.#links = links;
    this.#store = store;
    this.#log = logger;
    this.#now = now;
  }

  /** Confirms the address of a confirmation token (see {@linkcode ConfirmResult}). */
  async confirm(token: string): Promise<ConfirmResult> {
    const claim = this.#links.readConfirmation(token);
    if (!claim) return { outcome: "invalid" };
    const { email } = claim;
    const now = this.#now();
    if (claim.expiresAt.getTime() <= now.getTime()) return { outcome: "expired", email };
    if (!(await this.#store.confirm(email, claim.nonce, now))) return { outcome: "used", email };
    this.#log.info("address confirmed", { email });
    return { outcome: "confirmed", email };
  }

  /** The address an unsubscribe token names, when its signature is valid (for a confirm page). */
  unsubscribeTarget(token: string): Email | undefined {
    return this.#links.readUnsubscribe(token);
  }

  /** Removes the subscription an unsubscribe token names (see {@linkcode UnsubscribeResult}). */
  async unsubscribe(token: string): Promise<UnsubscribeResult> {
    const email = this.#links.readUnsubscribe(token);
    if (email === undefined) return { outcome: "invalid" };
    const removed = await this.#store.unsubscribe(email);
    if (removed) this.#log.info("unsubscribed by link", { email });
    return { outcome: removed ? "unsubscribed" : "not-subscribed", email };
  }
}
