import type { RowDataPacket } from "mysql2/promise";
import type { Email } from "../domain/email.ts";
import type { Ticker } from "../domain/ticker.ts";
import type { PriceHistory, StoredQuote, TickerLatest } from "../queries/price_history.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** {@linkcode PriceHistory} on the `users` and `quotes` tables. */
export class MysqlPriceHistory implements PriceHistory {
  readonly #db: MysqlDatabase;
  /** Takes the database whose tables it reads. */
  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  /**
   * The ticker `email` follows and its newest quote (as {@linkcode latest}), in one statement:
   * the user's row joined with the quote the index (ticker, at, id) finds last; undefined when
   * the user is not registered, `quote` undefined when the ticker has none.
   */
  latestOf(email: Email): Promise<TickerLatest | undefined> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        `SELECT u.ticker, q.price, q.at, q.currency
           FROM users u
           LEFT JOIN quotes q ON q.id = (
             SELECT id FROM quotes WHERE ticker = u.ticker ORDER BY at DESC, id DESC LIMIT 1
           )
          WHERE u.email = ?`,
        [email],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { ticker: row.ticker as Ticker, quote: _quote(row) };
    });
  }

  /** The ticker `email` follows, or undefined when the user is not registered. */
  tickerOf(email: Email): Promise<Ticker | undefined> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        "SELECT ticker FROM users WHERE email = ?",
        [email],
      );
      return rows[0]?.ticker as Ticker | undefined;
    });
  }

  /**
   * The newest stored quote of `ticker` (by time, then insertion) with its currency when stored,
   * or undefined when none.
   */
  latest(ticker: Ticker): Promise<StoredQuote | undefined> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        `SELECT price, at, currency FROM quotes WHERE ticker = ?
          ORDER BY at DESC, id DESC LIMIT 1`,
        [ticker],
      );
      return _quote(rows[0]);
    });
  }

  /** The currency of the newest stored quote of `ticker` that has one, or undefined. */
  currencyOf(ticker: Ticker): Promise<string | undefined> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        `SELECT currency FROM quotes WHERE ticker = ? AND currency IS NOT NULL
          ORDER BY at DESC, id DESC LIMIT 1`,
        [ticker],
      );
      return (rows[0]?.currency as string | undefined) ?? undefined;
    });
  }

  /** Mean price of the newest `count` quotes of `ticker` and how many there were (0 when none). */
  average(ticker: Ticker, count: number): Promise<{ average: number; count: number }> {
    return this.#db.withConnection(async (sql) => {
      // query(), not execute(): MySQL 8 rejects a bound LIMIT in prepared statements.
      const [rows] = await sql.query<RowDataPacket[]>(
        `SELECT AVG(price) AS average, COUNT(*) AS n FROM (
           SELECT price FROM quotes WHERE ticker = ? ORDER BY at DESC, id DESC LIMIT ?
         ) AS latest`,
        [ticker, count],
      );
      const row = rows[0];
      return { average: Number(row?.average ?? 0), count: Number(row?.n ?? 0) };
    });
  }
}

// The quote of a row with price, at and currency; undefined when there is none (no row, or the
// NULLs of an outer join that found no quote).
function _quote(row: RowDataPacket | undefined): StoredQuote | undefined {
  if (!row || row.at === null || row.at === undefined) return undefined;
  const quote = { price: Number(row.price), at: row.at as Date };
  return row.currency ? { ...quote, currency: row.currency as string } : quote;
}
