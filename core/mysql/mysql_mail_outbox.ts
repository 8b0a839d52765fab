import type { RowDataPacket } from "mysql2/promise";
import type { MysqlDatabase } from "./mysql_database.ts";

interface _OutboxRow extends RowDataPacket {
  id: number;
  recipient: string;
  message: string;
}

/** One mail a command queued for the notifier, not published yet. */
export interface QueuedMail {
  /** Row id, in queueing order. */
  readonly id: number;
  /** The recipient (the record's key on `to-notifier`). */
  readonly recipient: string;
  /** The message value, JSON. */
  readonly message: string;
}

/**
 * The `mail_outbox` table, read by the command server's relay: commands queue confirmation mails
 * there in their own transaction ({@linkcode MysqlUserRepository.queueConfirmation}), the relay
 * publishes them on `to-notifier` and marks them published, so none is lost to a crash or a
 * Kafka outage (one may be published twice; the notifier's Message-ID is the same).
 */
export class MysqlMailOutbox {
  readonly #db: MysqlDatabase;
  readonly #now: () => Date;
  /** Takes the database; `now` stamps publications (default system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
  }

  /** The oldest `limit` unpublished mails, oldest first. */
  pending(limit = 100): Promise<QueuedMail[]> {
    return this.#db.withConnection(async (sql) => {
      const [rows] = await sql.query<_OutboxRow[]>(
        `SELECT id, recipient, message FROM mail_outbox WHERE published_at IS NULL
          ORDER BY id LIMIT ?`,
        [limit],
      );
      return rows.map((r) => ({ id: Number(r.id), recipient: r.recipient, message: r.message }));
    });
  }

  /** Marks `ids` published. */
  async markPublished(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.withConnection((sql) =>
      sql.query("UPDATE mail_outbox SET published_at = ? WHERE id IN (?)", [this.#now(), [...ids]])
    );
  }

  /** Deletes mails published before `olderThanMs` ago; returns how many went. */
  purge(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - olderThanMs);
    return this.#db.deleteOlderThan("mail_outbox", "published_at", cutoff);
  }
}
