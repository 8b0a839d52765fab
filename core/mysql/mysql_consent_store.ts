import type { ConsentStore } from "../commands/consent_store.ts";
import type { Email } from "../domain/email.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** {@linkcode ConsentStore} on the `users` table (`pending_confirmation`, `confirmed_at`). */
export class MysqlConsentStore implements ConsentStore {
  readonly #db: MysqlDatabase;
  /** Takes the database. */
  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  /** Clears the pending confirmation `nonce` of `email` and stamps `confirmed_at`. */
  confirm(email: Email, nonce: string, at: Date): Promise<boolean> {
    return this.#db.withConnection(async (sql) => {
      const [result] = await sql.execute(
        `UPDATE users SET pending_confirmation = NULL, confirmed_at = ?
          WHERE email = ? AND pending_confirmation = ?`,
        [at, email, nonce],
      );
      return (result as { affectedRows: number }).affectedRows > 0;
    });
  }

  /** Deletes the subscription of `email`. */
  unsubscribe(email: Email): Promise<boolean> {
    return this.#db.withConnection(async (sql) => {
      const [result] = await sql.execute("DELETE FROM users WHERE email = ?", [email]);
      return (result as { affectedRows: number }).affectedRows > 0;
    });
  }
}
