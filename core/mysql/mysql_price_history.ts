import type { RowDataPacket } from "mysql2/promise";
import type { Email } from "../domain/email.ts";
import type { Ticker } from "../domain/ticker.ts";
import type { PriceHistory, StoredQuote, TickerLatest } from "../queries/price_history.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** Options of {@linkcode MysqlPriceHistory}. */
export interface MysqlPriceHistoryOptions {
  /** Most `latestOf` reads in flight at once (each a batch); default 4. */
  maxConcurrentReads?: number;
  /** Most users one `latestOf` read asks for; default 100. */
  maxBatch?: number;
}

interface _Waiter {
  readonly email: Email;
  resolve(value: TickerLatest | undefined): void;
  reject(err: unknown): void;
}

/**
 * {@linkcode PriceHistory} on the `users` and `quotes` tables. `latestOf` (GetLatestValue) is
 * one statement per read, and concurrent calls share reads: while `maxConcurrentReads` reads
 * are in flight, new calls wait and the next read asks for all of them at once (up to
 * `maxBatch` users), and so are calls made in the same job (the read starts in a microtask):
 * under load a round trip answers many calls; alone, a call is read at once. Every call still
 * gets the newest quote as of a read that started after it was made.
 */
export class MysqlPriceHistory implements PriceHistory {
  readonly #db: MysqlDatabase;
  readonly #maxConcurrent: number;
  readonly #maxBatch: number;
  readonly #waiting: _Waiter[] = [];
  #reading = 0;
  #scheduled = false;

  /** Takes the database whose tables it reads, and how `latestOf` batches. */
  constructor(db: MysqlDatabase, options: MysqlPriceHistoryOptions = {}) {
    this.#db = db;
    this.#maxConcurrent = Math.max(1, options.maxConcurrentReads ?? 4);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 100);
  }

  /**
   * The ticker `email` follows and its newest quote (as {@linkcode latest}), in one statement:
   * the user's row joined with the quote the index (ticker, at, id) finds last; undefined when
   * the user is not registered, `quote` undefined when the ticker has none. Calls made while
   * other reads are in flight are read together (see the class).
   */
  latestOf(email: Email): Promise<TickerLatest | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ email, resolve, reject });
      // Started once the current job is done, so calls made together are read together.
      if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#startReads();
        });
      }
    });
  }

  #startReads(): void {
    while (this.#reading < this.#maxConcurrent && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#reading++;
      this.#readLatest([...new Set(batch.map((w) => w.email))]).then(
        (found) => {
          for (const w of batch) w.resolve(found.get(w.email));
        },
        (err) => {
          for (const w of batch) w.reject(err);
        },
      ).finally(() => {
        this.#reading--;
        this.#startReads();
      });
    }
  }

  #readLatest(emails: readonly Email[]): Promise<Map<string, TickerLatest>> {
    return this.#db.withConnection(async (sql) => {
      // query(), not execute(): one text statement for any number of e-mails (no statement
      // prepared per batch size). The subquery finds each ticker's newest quote by index.
      const [rows] = await sql.query<RowDataPacket[]>(
        `SELECT u.email, u.ticker, q.price, q.at, q.currency
           FROM users u
           LEFT JOIN quotes q ON q.id = (
             SELECT id FROM quotes WHERE ticker = u.ticker ORDER BY at DESC, id DESC LIMIT 1
           )
          WHERE u.email IN (?)`,
        [emails],
      );
      return new Map(
        rows.map((
          row,
        ) => [row.email as string, { ticker: row.ticker as Ticker, quote: _quote(row) }]),
      );
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
