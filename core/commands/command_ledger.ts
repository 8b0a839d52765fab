import type { UserRepository } from "./user_repository.ts";
import type { CommandResult, Outcome } from "./outcome.ts";

/** What identifies one command request. */
export interface LedgerEntry {
  /** The client's idempotency key. */
  readonly requestId: string;
  /** Which command, e.g. "RegisterUser". */
  readonly command: string;
  /** Hash of the normalised request; a reused id with another fingerprint is rejected. */
  readonly fingerprint: string;
}

/**
 * At-most-once execution (the port). `once` runs `work` and stores its outcome under the
 * request id in the same transaction; a repeated id returns the stored outcome, and nothing a
 * repeat's `work` did is kept (an implementation may run it and roll it back, as
 * `MysqlCommandLedger` does when it finds the id taken). When `work` throws, nothing is stored
 * and nothing it did is kept.
 *
 * @throws {RequestIdConflictError} when the id was stored with another fingerprint
 */
export interface CommandLedger {
  /**
   * Runs `work` once for `entry.requestId` and stores its outcome with it; a stored id returns
   * its outcome with `replayed: true` and keeps nothing of `work`.
   *
   * @throws {RequestIdConflictError} when the id was stored with another fingerprint
   */
  once(
    entry: LedgerEntry,
    work: (users: UserRepository) => Promise<Outcome>,
  ): Promise<CommandResult>;
  /** Deletes stored ids older than `olderThanMs`; returns how many went. */
  purge(olderThanMs: number): Promise<number>;
}
