import type { MysqlTls } from "../config/security_config.ts";
import type { Logger } from "../log/logger.ts";
import { retry } from "../runtime/retry.ts";
import { migrate } from "./migrations.ts";
import { isUnavailable, MysqlDatabase } from "./mysql_database.ts";

/**
 * Connects (creating the database if missing) and migrates, retrying with backoff while the
 * server is unreachable, until it succeeds or `signal` aborts (then it rejects with the signal's
 * reason). Other errors are thrown.
 */
export async function openDatabase(
  { url, logger, signal, connectionLimit, tls }: {
    url: string;
    logger: Logger;
    /** Stops the waiting (default: wait until the server answers). */
    signal?: AbortSignal | undefined;
    connectionLimit?: number;
    /** TLS to MySQL; absent or null: plaintext. */
    tls?: MysqlTls | null;
  },
): Promise<MysqlDatabase> {
  return await retry(async () => {
    let db: MysqlDatabase | undefined;
    try {
      db = await MysqlDatabase.connect({
        url,
        logger,
        tls: tls ?? null,
        ...(connectionLimit === undefined ? {} : { connectionLimit }),
      });
      await migrate(db, { logger });
      return db;
    } catch (err) {
      await db?.close();
      throw err;
    }
  }, {
    retriable: isUnavailable,
    baseMs: 250,
    capMs: 5_000,
    ...(signal ? { signal } : {}),
    onRetry: ({ attempt, waitMs, error }) =>
      logger.warn("database unavailable at start, retrying", {
        attempt,
        retryInMs: Math.round(waitMs),
        err: error,
      }),
  });
}
