import type { RowDataPacket } from "mysql2/promise";
import type { UnknownTickers } from "../collector/unknown_tickers.ts";
import type { Ticker } from "../domain/ticker.ts";
import type { UnknownTickerMarks } from "../queries/unknown_ticker_marks.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/**
 * The `unknown_tickers` table (one row per marked symbol): the collector's
 * {@linkcode UnknownTickers} and the query side's {@linkcode UnknownTickerMarks}.
 */
export class MysqlUnknownTickers implements UnknownTickers, UnknownTickerMarks {
  readonly #db: MysqlDatabase;
  readonly #now: () => Date;
  /** Takes the database; `now` stamps the marks (default system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
  }

  /** Marks `unknown` (stamping when) and deletes the marks of `known`, in one transaction. */
  async record(unknown: readonly string[], known: readonly string[]): Promise<void> {
    if (unknown.length === 0 && known.length === 0) return;
    await this.#db.transaction(async (sql) => {
      if (unknown.length > 0) {
        const at = this.#now();
        await sql.query(
          "INSERT INTO unknown_tickers (ticker, marked_at) VALUES ? " +
            "ON DUPLICATE KEY UPDATE marked_at = VALUES(marked_at)",
          [unknown.map((t) => [t, at])],
        );
      }
      if (known.length > 0) {
        await sql.query("DELETE FROM unknown_tickers WHERE ticker IN (?)", [[...known]]);
      }
    });
  }

  /** True when `ticker` carries a mark. */
  isUnknown(ticker: Ticker): Promise<boolean> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        "SELECT 1 FROM unknown_tickers WHERE ticker = ?",
        [ticker],
      );
      return rows.length > 0;
    });
  }
}
