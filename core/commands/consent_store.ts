import type { Email } from "../domain/email.ts";

/** Where consent is stored: confirmations of addresses and unsubscriptions (the port). */
export interface ConsentStore {
  /**
   * Marks `email` confirmed at `at` when its pending confirmation is `nonce`; false when there is
   * no such pending confirmation (already used, superseded, or the subscription is gone).
   */
  confirm(email: Email, nonce: string, at: Date): Promise<boolean>;
  /** Removes the subscription of `email`; false when there was none. */
  unsubscribe(email: Email): Promise<boolean>;
}
