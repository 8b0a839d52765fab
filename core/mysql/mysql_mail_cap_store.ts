/** The MySQL adapter of the MailCapStore port, on table `mail_caps` (migration 9). */
import type { RowDataPacket } from "mysql2/promise";
import type { MailCapState, MailCapStore } from "../notify/mail_cap.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/**
 * {@linkcode MailCapStore} on `mail_caps(email PK, window_start, sent, held_back)`: one row per
 * recipient, written by an upsert. Database outages surface as
 * {@linkcode DatabaseUnavailableError} (retriable).
 *
 * @example
 * ```ts
 * const cap = new MailCap({ store: new MysqlMailCapStore(db), maxPerHour: 20 });
 * ```
 */
export class MysqlMailCapStore implements MailCapStore {
  readonly #db: MysqlDatabase;

  /** Takes the database. */
  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  /** The row of `email`, undefined when there is none. */
  get(email: string): Promise<MailCapState | undefined> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        "SELECT window_start, sent, held_back FROM mail_caps WHERE email = ?",
        [email],
      );
      const row = rows[0];
      return row
        ? {
          windowStart: row.window_start as Date,
          sent: Number(row.sent),
          heldBack: Number(row.held_back),
        }
        : undefined;
    });
  }

  /** Inserts or replaces the row of `email`. */
  async put(email: string, state: MailCapState): Promise<void> {
    await this.#db.withConnection((sql) =>
      sql.query(
        `INSERT INTO mail_caps (email, window_start, sent, held_back) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE window_start = VALUES(window_start), sent = VALUES(sent),
           held_back = VALUES(held_back)`,
        [email, state.windowStart, state.sent, state.heldBack],
      )
    );
  }
}
