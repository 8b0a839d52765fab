import type { RowDataPacket } from "mysql2/promise";
import type { Email } from "../domain/email.ts";
import type { Ticker } from "../domain/ticker.ts";
import type { User } from "../domain/user.ts";
import type { StoredUser, UserRepository } from "../commands/user_repository.ts";
import type { ConfirmationMessage } from "../messages/confirmation_message.ts";
import type { Sql } from "./mysql_database.ts";

interface _UserRow extends RowDataPacket {
  email: string;
  ticker: string;
  high_value: number | null;
  low_value: number | null;
  pending_confirmation: string | null;
}

/** {@linkcode UserRepository} on the `users` table, bound to one transaction's connection. */
export class MysqlUserRepository implements UserRepository {
  readonly #sql: Sql;
  readonly #now: () => Date;
  /** Takes the transaction's connection and the clock for `created_at`/`updated_at`. */
  constructor(sql: Sql, now: () => Date = () => new Date()) {
    this.#sql = sql;
    this.#now = now;
  }

  /** The user with `email`, its row locked (`FOR UPDATE`) until the transaction ends. */
  async findForUpdate(email: Email): Promise<StoredUser | undefined> {
    const [rows] = await this.#sql.execute<_UserRow[]>(
      `SELECT email, ticker, high_value, low_value, pending_confirmation
         FROM users WHERE email = ? FOR UPDATE`,
      [email],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      email: row.email as Email,
      ticker: row.ticker as Ticker,
      thresholds: { high: row.high_value, low: row.low_value },
      confirmed: row.pending_confirmation === null,
    };
  }

  /**
   * Inserts `user`, unconfirmed with `pendingConfirmation`, else confirmed now; "duplicate" when
   * the e-mail is already registered.
   */
  async insert(user: User, pendingConfirmation?: string): Promise<"inserted" | "duplicate"> {
    const now = this.#now();
    const pending = pendingConfirmation ?? null;
    try {
      await this.#sql.execute(
        `INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at,
           pending_confirmation, confirmed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          user.email,
          user.ticker,
          user.thresholds.high,
          user.thresholds.low,
          now,
          now,
          pending,
          pending === null ? now : null,
        ],
      );
      return "inserted";
    } catch (err) {
      if ((err as { code?: string }).code === "ER_DUP_ENTRY") return "duplicate";
      throw err;
    }
  }

  /**
   * Writes `after`'s ticker and thresholds; a threshold that differs from `before` (or any, when
   * the ticker changed) is re-armed.
   */
  async update(before: User, after: User): Promise<void> {
    // A threshold that changed (or a new ticker) starts armed again.
    const tickerChanged = before.ticker !== after.ticker;
    const rearmHigh = tickerChanged || before.thresholds.high !== after.thresholds.high;
    const rearmLow = tickerChanged || before.thresholds.low !== after.thresholds.low;
    await this.#sql.execute(
      `UPDATE users SET ticker = ?, high_value = ?, low_value = ?,
         high_fired = IF(?, FALSE, high_fired), low_fired = IF(?, FALSE, low_fired), updated_at = ?
       WHERE email = ?`,
      [
        after.ticker,
        after.thresholds.high,
        after.thresholds.low,
        rearmHigh,
        rearmLow,
        this.#now(),
        after.email,
      ],
    );
  }

  /** Adds `message` to `mail_outbox`, in this transaction; the server's relay publishes it. */
  async queueConfirmation(message: ConfirmationMessage): Promise<void> {
    await this.#sql.execute(
      "INSERT INTO mail_outbox (recipient, message, created_at) VALUES (?, ?, ?)",
      [message.email, JSON.stringify(message), this.#now()],
    );
  }

  /** Moves `from`'s row to the address `to`, unconfirmed with `pendingConfirmation`. */
  async changeEmail(from: Email, to: Email, pendingConfirmation?: string): Promise<void> {
    const pending = pendingConfirmation ?? null;
    const now = this.#now();
    await this.#sql.execute(
      `UPDATE users SET email = ?, pending_confirmation = ?, confirmed_at = ?, updated_at = ?
        WHERE email = ?`,
      [to, pending, pending === null ? now : null, now, from],
    );
  }

  /** Deletes the user with `email`; false when there was none. */
  async delete(email: Email): Promise<boolean> {
    const [result] = await this.#sql.execute("DELETE FROM users WHERE email = ?", [email]);
    return (result as { affectedRows: number }).affectedRows > 0;
  }
}
