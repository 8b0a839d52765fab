import type { Email } from "../domain/email.ts";
import type { User } from "../domain/user.ts";

/** Users as seen inside one command's transaction (the port; MySQL implements it). */
export interface UserRepository {
  /** The user, locked for the rest of the transaction. */
  findForUpdate(email: Email): Promise<User | undefined>;
  /** Inserts; "duplicate" when the e-mail is already registered. */
  insert(user: User): Promise<"inserted" | "duplicate">;
  /** Replaces ticker and thresholds; a changed threshold is re-armed. */
  update(before: User, after: User): Promise<void>;
  /** Removes the user and all its state; false when there was none. */
  delete(email: Email): Promise<boolean>;
}
