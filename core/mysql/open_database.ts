import type { Logger } from "../log/logger.ts";
import { backoffMs, delay } from "../runtime/shutdown.ts";
import { migrate } from "./migrations.ts";
import { isUnavailable, MysqlDatabase } from "./mysql_database.ts";

/**
 * Connects (creating the database if missing) and migrates, retrying with backoff while the
 * server is unreachable, until it succeeds or `signal` aborts. Other errors are thrown.
 */
export async function openDatabase(
  { url, logger, signal, connectionLimit }: {
    url: string;
    logger: Logger;
    signal?: AbortSignal;
    connectionLimit?: number;
  },
): Promise<MysqlDatabase> {
  for (let attempt = 0;; attempt++) {
    let db: MysqlDatabase | undefined;
    try {
      db = await MysqlDatabase.connect(
        connectionLimit === undefined ? { url, logger } : { url, logger, connectionLimit },
      );
      await migrate(db, { logger });
      return db;
    } catch (err) {
      await db?.close();
      if (!isUnavailable(err)) throw err;
      const wait = backoffMs(attempt, 250, 5_000);
      logger.warn("database unavailable at start, retrying", {
        attempt: attempt + 1,
        retryInMs: Math.round(wait),
        err,
      });
      await delay(wait, signal);
    }
  }
}
