/** The MySQL adapter of the SentAlertLog port, on table `sent_alerts` (migration 4). */
import type { RowDataPacket } from "mysql2/promise";
import type { SentAlert, SentAlertLog } from "../notify/sent_alert_log.ts";
import type { MysqlDatabase } from "./mysql_database.ts";
import { StatementBatcher } from "./statement_batcher.ts";

/**
 * {@linkcode SentAlertLog} on `sent_alerts(alert_id PK, email, ticker, threshold_type,
 * sent_at)`. `record` is an insert that leaves an existing row alone, so a second record of an
 * id keeps the first row. Database outages surface as {@linkcode DatabaseUnavailableError}
 * (retriable).
 *
 * Concurrent calls share one statement, group-commit style ({@linkcode StatementBatcher}): the
 * `wasSent` calls made while a SELECT is in flight become the next `SELECT … WHERE alert_id IN
 * (…)`, and the `record` calls made while an INSERT is in flight the next multi-row `INSERT` (one
 * transaction), up to 500 ids each. Each call still resolves only when its own answer is known
 * or its row is committed, and a failed statement rejects every call in it.
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
  readonly #checks: StatementBatcher<string, boolean>;
  readonly #records: StatementBatcher<SentAlert, void>;

  /** `now` is the clock `purge` measures age against (default the system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
    this.#checks = new StatementBatcher((ids) => this.#sentAmong(ids));
    this.#records = new StatementBatcher((alerts) => this.#insert(alerts));
  }

  /** Statements run so far: `SELECT`s of `wasSent`, `INSERT`s of `record`. */
  get statements(): { selects: number; inserts: number } {
    return { selects: this.#checks.statements, inserts: this.#records.statements };
  }

  /** Whether `alertId` has a row (batched with the concurrent calls). */
  wasSent(alertId: string): Promise<boolean> {
    return this.#checks.add(alertId);
  }

  /** Inserts `alert`'s row unless its id has one; resolves once the row is committed. */
  record(alert: SentAlert): Promise<void> {
    return this.#records.add(alert);
  }

  /** Deletes rows whose `sent_at` is more than `olderThanMs` old; returns how many went. */
  purge(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - olderThanMs);
    return this.#db.deleteOlderThan("sent_alerts", "sent_at", cutoff);
  }

  async #sentAmong(ids: string[]): Promise<boolean[]> {
    const found = await this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<RowDataPacket[]>(
        "SELECT alert_id FROM sent_alerts WHERE alert_id IN (?)",
        [ids],
      );
      return new Set(rows.map((r) => r.alert_id as string));
    });
    return ids.map((id) => found.has(id));
  }

  async #insert(alerts: SentAlert[]): Promise<void[]> {
    // One row per id, in key order, so concurrent batches take their locks in the same order.
    const rows = [...new Map(alerts.map((a) => [a.alertId, a])).values()]
      .sort((a, b) => (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0))
      .map((a) => [a.alertId, a.email, a.ticker, a.thresholdType, a.sentAt]);
    await this.#db.withConnection((sql) =>
      sql.query(
        `INSERT INTO sent_alerts (alert_id, email, ticker, threshold_type, sent_at)
         VALUES ? ON DUPLICATE KEY UPDATE alert_id = alert_id`,
        [rows],
      )
    );
    return alerts.map(() => undefined);
  }
}
