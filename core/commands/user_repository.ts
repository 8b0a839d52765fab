import type { Email } from "../domain/email.ts";
import type { User } from "../domain/user.ts";
import type { ConfirmationMessage } from "../messages/confirmation_message.ts";

/** A user as stored: the subscription and whether its address is confirmed. */
export interface StoredUser extends User {
  /** False while a confirmation mail's link has not been followed (double opt-in). */
  readonly confirmed: boolean;
}

/** Users as seen inside one command's transaction (the port; MySQL implements it). */
export interface UserRepository {
  /** The user, locked for the rest of the transaction. */
  findForUpdate(email: Email): Promise<StoredUser | undefined>;
  /**
   * Inserts; "duplicate" when the e-mail is already registered. With `pendingConfirmation` (the
   * nonce of its confirmation link) the address stays unconfirmed, and gets no alert, until the
   * link is followed; without, it is confirmed at once.
   */
  insert(user: User, pendingConfirmation?: string): Promise<"inserted" | "duplicate">;
  /** Replaces ticker and thresholds; a changed threshold is re-armed. */
  update(before: User, after: User): Promise<void>;
  /**
   * Moves the subscription of `from` to the address `to` (which must be free); with
   * `pendingConfirmation` the new address is unconfirmed until its link is followed, without it
   * is confirmed at once.
   */
  changeEmail(from: Email, to: Email, pendingConfirmation?: string): Promise<void>;
  /** Removes the user and all its state; false when there was none. */
  delete(email: Email): Promise<boolean>;
  /** Queues a confirmation mail, published to the notifier once the transaction commits. */
  queueConfirmation(message: ConfirmationMessage): Promise<void>;
}
