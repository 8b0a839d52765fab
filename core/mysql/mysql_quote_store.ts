import type { RowDataPacket } from "mysql2/promise";
import type { QuoteStore, RetentionResult } from "../collector/quote_store.ts";
import type { Quote } from "../prices/quote.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** {@linkcode QuoteStore} on the `users` and `quotes` tables. */
export class MysqlQuoteStore implements QuoteStore {
  readonly #db: MysqlDatabase;
  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  followedTickers(): Promise<string[]> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        "SELECT DISTINCT ticker FROM users ORDER BY ticker",
      );
      return rows.map((r) => r.ticker as string);
    });
  }

  async insertQuotes(quotes: readonly Quote[]): Promise<void> {
    if (quotes.length === 0) return;
    await this.#db.withConnection((sql) =>
      // query(), not execute(): mysql2 expands the nested array into one multi-row VALUES list.
      sql.query("INSERT INTO quotes (ticker, price, at) VALUES ?", [
        quotes.map((q) => [q.ticker, q.price, q.at]),
      ])
    );
  }

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
      return { trimmed: (t as { affectedRows: number }).affectedRows, dropped };
    });
  }
}
