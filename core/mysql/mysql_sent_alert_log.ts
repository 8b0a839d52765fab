/** The MySQL adapter of the SentAlertLog port, on table `sent_alerts` (migration 4). */
import type { RowDataPacket } from "mysql2/promise";
import type { SentAlert, SentAlertLog } from "../notify/sent_alert_log.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

const _MAX_BATCH = 500;

/**
 * {@linkcode SentAlertLog} on `sent_alerts(alert_id PK, email, ticker, threshold_type,
 * sent_at)`. `record` is an insert that leaves an existing row alone, so a second record of an
 * id keeps the first row. Database outages surface as {@linkcode DatabaseUnavailableError}
 * (retriable).
 *
 * Calls made in the same turn of the event loop share one statement: concurrent `wasSent`
 * calls become one `SELECT … WHERE alert_id IN (…)` and concurrent `record` calls one multi-row
 * `INSERT` (one transaction), up to 500 ids each. Each call still resolves only when its own
 * answer is known or its row is committed, and a failed statement rejects every call in it.
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
  readonly #checks: _Batcher<string, boolean>;
  readonly #records: _Batcher<SentAlert, void>;

  /** `now` is the clock `purge` measures age against (default the system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
    this.#checks = new _Batcher((ids) => this.#sentAmong(ids));
    this.#records = new _Batcher((alerts) => this.#insert(alerts));
  }

  /** Whether `alertId` has a row (batched with the other calls of this event-loop turn). */
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

/** Collects the calls of one event-loop turn and runs them as one batch (up to _MAX_BATCH). */
class _Batcher<In, Out> {
  readonly #run: (inputs: In[]) => Promise<Out[]>;
  #queue: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  #scheduled = false;

  constructor(run: (inputs: In[]) => Promise<Out[]>) {
    this.#run = run;
  }

  add(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setTimeout(() => this.#flush(), 0);
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, _MAX_BATCH);
      this.#run(batch.map((c) => c.input)).then(
        (outs) => batch.forEach((c, i) => c.resolve(outs[i]!)),
        (err) => batch.forEach((c) => c.reject(err)),
      );
    }
  }
}
