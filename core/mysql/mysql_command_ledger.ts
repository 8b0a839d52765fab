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

const _MAX_ATTEMPTS = 3;

/**
 * {@linkcode CommandLedger} on `processed_requests`. The command's effect and its outcome (under
 * the request id, the table's primary key) are written in one transaction; the outcome row goes
 * in last, so a command is one transaction of its own statements, the outcome's INSERT and the
 * COMMIT (one fsync). A duplicate of a request id, concurrent (another replica) or late, runs
 * its work too but cannot commit it: its INSERT of the id waits on the first transaction's key
 * lock and then fails as a duplicate, the whole transaction is rolled back and the stored
 * outcome is answered instead. So an effect is committed at most once per request id.
 */
export class MysqlCommandLedger implements CommandLedger {
  readonly #db: MysqlDatabase;
  readonly #now: () => Date;
  /** `now` stamps stored ids and is what `purge` measures age against (default system clock). */
  constructor(db: MysqlDatabase, { now = () => new Date() }: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Runs `work` and stores its outcome under `entry.requestId` in one transaction, or, when the
   * id is stored already, rolls `work`'s effects back and returns the stored outcome
   * (`replayed: true`). A deadlock or lock wait timeout is retried, 3 attempts in all.
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
        const done = await this.#db.transaction(async (sql) => {
          const outcome = await work(new MysqlUserRepository(sql, this.#now));
          try {
            await sql.execute(
              `INSERT INTO processed_requests
                 (request_id, command, fingerprint, status, message, success, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
              [
                entry.requestId,
                entry.command,
                entry.fingerprint,
                outcome.code,
                outcome.message,
                outcome.success ?? null,
                this.#now(),
              ],
            );
          } catch (err) {
            // Stored before (or by a concurrent duplicate that has committed): undo our work.
            if ((err as { code?: string }).code === "ER_DUP_ENTRY") throw new _Replay();
            throw err;
          }
          return outcome;
        });
        return { outcome: done, replayed: false };
      } catch (err) {
        if (err instanceof _Replay) {
          const stored = await this.#stored(entry);
          if (stored) return { outcome: stored, replayed: true };
          // Purged between our INSERT and SELECT: run again.
        } else {
          const code = (err as { code?: string }).code;
          const transient = code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT";
          if (!transient || attempt >= _MAX_ATTEMPTS) throw err;
        }
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

// Thrown inside the transaction when the request id is stored already, so it is rolled back.
class _Replay extends Error {}
