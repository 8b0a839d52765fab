import type { Email } from "./email.ts";
import type { LinkSigner } from "./link_signer.ts";

/** Path of the confirmation links on the public HTTP listener. */
export const CONFIRM_PATH = "/confirm";
/** Path of the unsubscribe links on the public HTTP listener. */
export const UNSUBSCRIBE_PATH = "/unsubscribe";

/** What a confirmation link says: which address, which pending confirmation, until when. */
export interface ConfirmationClaim {
  /** The address to confirm. */
  readonly email: Email;
  /** The random nonce stored with the pending confirmation; a link is good for that one only. */
  readonly nonce: string;
  /** When the link stops working. */
  readonly expiresAt: Date;
}

/**
 * The signed links of consent mails: `<base>/confirm?t=…` (double opt-in, expiring) and
 * `<base>/unsubscribe?t=…` (one click, RFC 8058). The token carries its claim and an
 * HMAC-SHA256 signature ({@linkcode LinkSigner}); reading a token checks the signature only —
 * whether a confirmation is still pending is the store's business.
 *
 * @example
 * ```ts
 * const links = new ConsentLinks({ baseUrl: "https://alerts.example.com", signer });
 * links.unsubscribeUrl(email); // "https://alerts.example.com/unsubscribe?t=eyJr…"
 * ```
 */
export class ConsentLinks {
  readonly #base: string;
  readonly #signer: LinkSigner;

  /** Takes the public base URL (scheme, host, optional path) and the signer. */
  constructor({ baseUrl, signer }: { baseUrl: string; signer: LinkSigner }) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#signer = signer;
  }

  /** The confirmation link of `claim`. */
  confirmUrl(claim: ConfirmationClaim): string {
    const token = this.#signer.sign(
      JSON.stringify({ k: "c", e: claim.email, n: claim.nonce, x: claim.expiresAt.getTime() }),
    );
    return `${this.#base}${CONFIRM_PATH}?t=${token}`;
  }

  /** The one-click unsubscribe link of `email` (it does not expire). */
  unsubscribeUrl(email: Email): string {
    return `${this.#base}${UNSUBSCRIBE_PATH}?t=${
      this.#signer.sign(JSON.stringify({ k: "u", e: email }))
    }`;
  }

  /** The claim of a confirmation token with a valid signature, else undefined (expiry unchecked). */
  readConfirmation(token: string): ConfirmationClaim | undefined {
    const claim = this.#read(token);
    if (
      claim?.k !== "c" || typeof claim.e !== "string" || typeof claim.n !== "string" ||
      typeof claim.x !== "number"
    ) return undefined;
    return { email: claim.e as Email, nonce: claim.n, expiresAt: new Date(claim.x) };
  }

  /** The address of an unsubscribe token with a valid signature, else undefined. */
  readUnsubscribe(token: string): Email | undefined {
    const claim = this.#read(token);
    return claim?.k === "u" && typeof claim.e === "string" ? claim.e as Email : undefined;
  }

  #read(token: string): Record<string, unknown> | undefined {
    const payload = this.#signer.verify(token);
    if (payload === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(payload);
      return typeof value === "object" && value !== null
        ? value as Record<string, unknown>
        : undefined;
    } catch {
      return undefined;
    }
  }
}
