import type { RowDataPacket } from "mysql2/promise";
import type { QuoteStore, RetentionResult } from "../collector/quote_store.ts";
import type { Quote } from "../domain/quote.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** {@linkcode QuoteStore} on the `users` and `quotes` tables. */
export class MysqlQuoteStore implements QuoteStore {
  readonly #db: MysqlDatabase;
  /** Takes the database whose tables it reads and writes. */
  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  /** Distinct tickers of the `users` table, sorted. */
  followedTickers(): Promise<string[]> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        "SELECT DISTINCT ticker FROM users ORDER BY ticker",
      );
      return rows.map((r) => r.ticker as string);
    });
  }

  /** Newest `market_time` per ticker among `tickers`, for those with one. */
  lastMarketTimes(tickers: readonly string[]): Promise<Map<string, Date>> {
    if (tickers.length === 0) return Promise.resolve(new Map());
    return this.#db.withConnection(async (sql) => {
      // One MAX per ticker, read from the (ticker, market_time) index.
      const [rows] = await sql.query<RowDataPacket[]>(
        `SELECT ticker, MAX(market_time) AS last FROM quotes
          WHERE ticker IN (?) AND market_time IS NOT NULL GROUP BY ticker`,
        [[...new Set(tickers)]],
      );
      return new Map(rows.map((r) => [r.ticker as string, r.last as Date]));
    });
  }

  /**
   * Inserts the cycle's quotes (one multi-row INSERT, with their currency and market time) and its message into `collector_outbox`,
   * unpublished, in one transaction.
   */
  async saveCycle(
    { cycleId, quotes, message }: { cycleId: string; quotes: readonly Quote[]; message: string },
  ): Promise<void> {
    await this.#db.transaction(async (sql) => {
      if (quotes.length > 0) {
        // query(), not execute(): mysql2 expands the nested array into one multi-row VALUES list.
        await sql.query(
          "INSERT INTO quotes (ticker, price, at, currency, market_time) VALUES ?",
          [quotes.map((q) => [q.ticker, q.price, q.at, q.currency ?? null, q.marketTime ?? null])],
        );
      }
      await sql.execute(
        "INSERT INTO collector_outbox (cycle_id, message, created_at) VALUES (?, ?, ?)",
        [cycleId, message, new Date()],
      );
    });
  }

  /** Outbox messages not published yet, oldest first. */
  unpublished(): Promise<{ cycleId: string; message: string }[]> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        `SELECT cycle_id, message FROM collector_outbox
          WHERE published_at IS NULL ORDER BY created_at, cycle_id`,
      );
      return rows.map((r) => ({ cycleId: r.cycle_id as string, message: r.message as string }));
    });
  }

  /** Stamps the cycle's outbox message as published now. */
  async markPublished(cycleId: string): Promise<void> {
    await this.#db.withConnection((sql) =>
      sql.execute("UPDATE collector_outbox SET published_at = ? WHERE cycle_id = ?", [
        new Date(),
        cycleId,
      ])
    );
  }

  /**
   * Keeps the newest `keepPerTicker` quotes per ticker, drops quotes of unfollowed tickers when
   * `dropUnfollowed`, and deletes outbox messages published more than 24 h ago.
   */
  applyRetention(
    { keepPerTicker, dropUnfollowed }: { keepPerTicker: number; dropUnfollowed: boolean },
  ): Promise<RetentionResult> {
    return this.#db.withConnection(async (sql) => {
      let dropped = 0;
      if (dropUnfollowed) {
        const [r] = await sql.query(
          `DELETE q FROM quotes q LEFT JOIN (SELECT DISTINCT ticker FROM users) f
             ON f.ticker = q.ticker WHERE f.ticker IS NULL`,
        );
        dropped = (r as { affectedRows: number }).affectedRows;
      }
      const [t] = await sql.query(
        `DELETE q FROM quotes q JOIN (
           SELECT id FROM (
             SELECT id, ROW_NUMBER() OVER (PARTITION BY ticker ORDER BY at DESC, id DESC) AS rn
               FROM quotes
           ) ranked WHERE rn > ?
         ) old ON old.id = q.id`,
        [keepPerTicker],
      );
      await sql.query(
        "DELETE FROM collector_outbox WHERE published_at IS NOT NULL AND published_at < ?",
        [new Date(Date.now() - 86_400_000)],
      );
      return { trimmed: (t as { affectedRows: number }).affectedRows, dropped };
    });
  }
}
