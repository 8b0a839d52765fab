/** The MySQL adapter of the SentAlertLog port, on table `sent_alerts` (migration 4). */
import type { RowDataPacket } from "mysql2/promise";
import type { SentAlert, SentAlertLog } from "../notify/sent_alert_log.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

const _PURGE_CHUNK = 10_000;

/**
 * {@linkcode SentAlertLog} on `sent_alerts(alert_id PK, email, ticker, threshold_type,
 * sent_at)`. `record` is an insert that leaves an existing row alone, so a second record of an id keeps the first row.
 * Database outages surface as {@linkcode DatabaseUnavailableError} (retriable).
 *
 * @example
 * ```ts
 * const log = new MysqlSentAlertLog(db);
 * await log.record({ alertId, email, ticker: "AAPL", thresholdType: "HIGH", sentAt: new Date() });
 * await log.wasSent(alertId); // true
 * ```
 */
export class MysqlSentAlertLog implements SentAlertLog {
  readonly #db: MysqlDatabase;
  readonly #now: () => Date;

  /** `now` is the clock `purge` measures age against (default the system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
  }

  async wasSent(alertId: string): Promise<boolean> {
    return await this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<RowDataPacket[]>(
        "SELECT 1 FROM sent_alerts WHERE alert_id = ?",
        [alertId],
      );
      return rows.length > 0;
    });
  }

  async record(alert: SentAlert): Promise<void> {
    await this.#db.withConnection((sql) =>
      sql.execute(
        `INSERT INTO sent_alerts (alert_id, email, ticker, threshold_type, sent_at)
         VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE alert_id = alert_id`,
        [alert.alertId, alert.email, alert.ticker, alert.thresholdType, alert.sentAt],
      )
    );
  }

  async purge(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - olderThanMs);
    let total = 0;
    for (;;) {
      const affected = await this.#db.withConnection(async (sql) => {
        const [result] = await sql.query(
          `DELETE FROM sent_alerts WHERE sent_at < ? LIMIT ${_PURGE_CHUNK}`,
          [cutoff],
        );
        return (result as { affectedRows: number }).affectedRows;
      });
      total += affected;
      if (affected < _PURGE_CHUNK) return total;
    }
  }
}
