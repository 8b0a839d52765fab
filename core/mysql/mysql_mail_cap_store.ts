/** The MySQL adapter of the MailCapStore port, on table `mail_caps` (migration 9). */
import type { RowDataPacket } from "mysql2/promise";
import type { MailCapState, MailCapStore } from "../notify/mail_cap.ts";
import type { MysqlDatabase } from "./mysql_database.ts";
import { StatementBatcher } from "./statement_batcher.ts";

/**
 * {@linkcode MailCapStore} on `mail_caps(email PK, window_start, sent, held_back)`: one row per
 * recipient, written by an upsert. Concurrent calls share one statement, group-commit style
 * ({@linkcode StatementBatcher}): the `get`s made while a SELECT is in flight become the next
 * `SELECT … WHERE email IN (…)`, the `put`s made while an upsert is in flight the next multi-row
 * upsert. Each call resolves when its own row was read or written, as before; a recipient's
 * calls come one after the other (the cap's contract), so one statement never holds two writes
 * of one address. Database outages surface as {@linkcode DatabaseUnavailableError} (retriable).
 *
 * @example
 * ```ts
 * const cap = new MailCap({ store: new MysqlMailCapStore(db), maxPerHour: 20 });
 * ```
 */
export class MysqlMailCapStore implements MailCapStore {
  readonly #db: MysqlDatabase;
  readonly #gets: StatementBatcher<string, MailCapState | undefined>;
  readonly #puts: StatementBatcher<[string, MailCapState], void>;

  /** Takes the database. */
  constructor(db: MysqlDatabase) {
    this.#db = db;
    this.#gets = new StatementBatcher((emails) => this.#select(emails));
    this.#puts = new StatementBatcher((rows) => this.#upsert(rows));
  }

  /** Statements run so far: `SELECT`s of `get`, upserts of `put`. */
  get statements(): { selects: number; upserts: number } {
    return { selects: this.#gets.statements, upserts: this.#puts.statements };
  }

  /** The row of `email`, undefined when there is none. */
  get(email: string): Promise<MailCapState | undefined> {
    return this.#gets.add(email);
  }

  /** Inserts or replaces the row of `email`. */
  put(email: string, state: MailCapState): Promise<void> {
    return this.#puts.add([email, state]);
  }

  async #select(emails: string[]): Promise<(MailCapState | undefined)[]> {
    const found = await this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        "SELECT email, window_start, sent, held_back FROM mail_caps WHERE email IN (?)",
        [[...new Set(emails)]],
      );
      return new Map(rows.map((row) => [row.email as string, {
        windowStart: row.window_start as Date,
        sent: Number(row.sent),
        heldBack: Number(row.held_back),
      }]));
    });
    return emails.map((email) => found.get(email));
  }

  async #upsert(puts: [string, MailCapState][]): Promise<void[]> {
    // The last write of an address wins, as with one statement per call; rows in key order, so
    // concurrent statements take their locks in the same order.
    const rows = [...new Map(puts).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([email, s]) => [email, s.windowStart, s.sent, s.heldBack]);
    await this.#db.withConnection((sql) =>
      sql.query(
        `INSERT INTO mail_caps (email, window_start, sent, held_back) VALUES ?
         ON DUPLICATE KEY UPDATE window_start = VALUES(window_start), sent = VALUES(sent),
           held_back = VALUES(held_back)`,
        [rows],
      )
    );
    return puts.map(() => undefined);
  }
}
