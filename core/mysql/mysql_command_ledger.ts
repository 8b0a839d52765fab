import type { RowDataPacket } from "mysql2/promise";
import type { CommandLedger, LedgerEntry } from "../commands/command_ledger.ts";
import type { CommandResult, Outcome, OutcomeCode } from "../commands/outcome.ts";
import { RequestIdConflictError } from "../commands/request_id_conflict_error.ts";
import type { UserRepository } from "../commands/user_repository.ts";
import type { MysqlDatabase } from "./mysql_database.ts";
import { MysqlUserRepository } from "./mysql_user_repository.ts";

interface _StoredRow extends RowDataPacket {
  fingerprint: string;
  status: OutcomeCode;
  message: string;
  success: number | null;
}

const _PENDING = "PENDING";
const _MAX_ATTEMPTS = 3;

/**
 * {@linkcode CommandLedger} on `processed_requests`. The request id is claimed with an INSERT
 * at the start of the command's transaction, so a concurrent duplicate (another replica) waits
 * on the row lock and then finds the committed outcome. The outcome is written in the same
 * transaction as the command's effect.
 */
export class MysqlCommandLedger implements CommandLedger {
  readonly #db: MysqlDatabase;
  readonly #now: () => Date;
  /** `now` stamps claimed ids and is what `purge` measures age against (default system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Claims `entry.requestId`, runs `work` and stores its outcome in one transaction, or returns
   * the stored outcome (`replayed: true`) of an id claimed before. A deadlock or lock wait
   * timeout is retried, 3 attempts in all.
   *
   * @throws {RequestIdConflictError} when the id was stored with another fingerprint
   * @throws {DatabaseUnavailableError} when the server cannot be reached
   */
  async once(
    entry: LedgerEntry,
    work: (users: UserRepository) => Promise<Outcome>,
  ): Promise<CommandResult> {
    for (let attempt = 1;; attempt++) {
      try {
        const claimed = await this.#db.transaction(async (sql) => {
          try {
            await sql.execute(
              `INSERT INTO processed_requests
                 (request_id, command, fingerprint, status, message, success, created_at)
               VALUES (?, ?, ?, ?, '', NULL, ?)`,
              [entry.requestId, entry.command, entry.fingerprint, _PENDING, this.#now()],
            );
          } catch (err) {
            if ((err as { code?: string }).code === "ER_DUP_ENTRY") return undefined;
            throw err;
          }
          const outcome = await work(new MysqlUserRepository(sql, this.#now));
          await sql.execute(
            "UPDATE processed_requests SET status = ?, message = ?, success = ? WHERE request_id = ?",
            [outcome.code, outcome.message, outcome.success ?? null, entry.requestId],
          );
          return outcome;
        });
        if (claimed) return { outcome: claimed, replayed: false };
        const stored = await this.#stored(entry);
        if (stored) return { outcome: stored, replayed: true };
        // Purged between our INSERT and SELECT: claim again.
      } catch (err) {
        const code = (err as { code?: string }).code;
        const transient = code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT";
        if (!transient || attempt >= _MAX_ATTEMPTS) throw err;
      }
      if (attempt >= _MAX_ATTEMPTS) {
        throw new Error(`request_id "${entry.requestId}" could not be claimed`);
      }
    }
  }

  async #stored(entry: LedgerEntry): Promise<Outcome | undefined> {
    const row = await this.#db.withConnection(async (sql) => {
      const [rows] = await sql.execute<_StoredRow[]>(
        "SELECT fingerprint, status, message, success FROM processed_requests WHERE request_id = ?",
        [entry.requestId],
      );
      return rows[0];
    });
    if (!row) return undefined;
    if (row.fingerprint !== entry.fingerprint) throw new RequestIdConflictError(entry.requestId);
    return row.success === null
      ? { code: row.status, message: row.message }
      : { code: row.status, message: row.message, success: row.success === 1 };
  }

  /** Deletes stored ids claimed more than `olderThanMs` ago; returns how many went. */
  purge(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - olderThanMs);
    return this.#db.deleteOlderThan("processed_requests", "created_at", cutoff);
  }
}
