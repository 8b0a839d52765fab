import type { Logger } from "../log/logger.ts";
import { silentLogger } from "../log/logger.ts";
import type { MysqlDatabase } from "./mysql_database.ts";

/** One schema step. Every statement must be safe to run again (IF NOT EXISTS). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** The schema, oldest first. Append new versions; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "users",
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        email VARCHAR(254) NOT NULL,
        ticker VARCHAR(20) NOT NULL,
        high_value DOUBLE NULL,
        low_value DOUBLE NULL,
        high_fired BOOLEAN NOT NULL DEFAULT FALSE,
        low_fired BOOLEAN NOT NULL DEFAULT FALSE,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        -- A small surrogate key keeps the secondary indexes (which carry it) compact.
        PRIMARY KEY (id),
        UNIQUE KEY uq_users_email (email),
        -- The alert system's range scans: armed users whose threshold a price passed, and fired
        -- users whose price came back inside the band.
        KEY idx_users_high (ticker, high_fired, high_value),
        KEY idx_users_low (ticker, low_fired, low_value)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 2,
    name: "quotes",
    statements: [
      `CREATE TABLE IF NOT EXISTS quotes (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        ticker VARCHAR(20) NOT NULL,
        price DOUBLE NOT NULL,
        at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY idx_quotes_ticker_at (ticker, at, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 3,
    name: "processed_requests",
    statements: [
      `CREATE TABLE IF NOT EXISTS processed_requests (
        request_id VARCHAR(128) NOT NULL,
        command VARCHAR(32) NOT NULL,
        fingerprint CHAR(64) NOT NULL,
        status VARCHAR(16) NOT NULL,
        message VARCHAR(1024) NOT NULL,
        success BOOLEAN NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (request_id),
        KEY idx_processed_requests_created_at (created_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 4,
    name: "sent_alerts",
    statements: [
      `CREATE TABLE IF NOT EXISTS sent_alerts (
        alert_id CHAR(64) NOT NULL,
        email VARCHAR(254) NOT NULL,
        ticker VARCHAR(20) NOT NULL,
        threshold_type VARCHAR(4) NOT NULL,
        sent_at DATETIME(3) NOT NULL,
        PRIMARY KEY (alert_id),
        KEY idx_sent_alerts_sent_at (sent_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 5,
    name: "collector_outbox",
    statements: [
      `CREATE TABLE IF NOT EXISTS collector_outbox (
        cycle_id VARCHAR(64) NOT NULL,
        message MEDIUMTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        published_at DATETIME(3) NULL,
        PRIMARY KEY (cycle_id),
        KEY idx_collector_outbox_pending (published_at, created_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 6,
    name: "quotes_currency_market_time",
    statements: [
      ..._unlessExists(
        "columns",
        "quotes",
        "column_name = 'currency'",
        "ALTER TABLE quotes ADD COLUMN currency VARCHAR(12) NULL",
      ),
      ..._unlessExists(
        "columns",
        "quotes",
        "column_name = 'market_time'",
        "ALTER TABLE quotes ADD COLUMN market_time DATETIME(3) NULL",
      ),
      ..._unlessExists(
        "statistics",
        "quotes",
        "index_name = 'idx_quotes_ticker_market_time'",
        "ALTER TABLE quotes ADD KEY idx_quotes_ticker_market_time (ticker, market_time)",
      ),
    ],
  },
  {
    version: 7,
    name: "unknown_tickers",
    statements: [
      // Symbols the collector found unknown to the price source; a query then says so.
      `CREATE TABLE IF NOT EXISTS unknown_tickers (
        ticker VARCHAR(20) NOT NULL,
        marked_at DATETIME(3) NOT NULL,
        PRIMARY KEY (ticker)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 8,
    name: "consent",
    statements: [
      // The nonce of the confirmation an address still has to follow (double opt-in); NULL once
      // confirmed, and for the subscriptions made before confirmation existed.
      ..._unlessExists(
        "columns",
        "users",
        "column_name = 'pending_confirmation'",
        "ALTER TABLE users ADD COLUMN pending_confirmation CHAR(32) NULL",
      ),
      ..._unlessExists(
        "columns",
        "users",
        "column_name = 'confirmed_at'",
        "ALTER TABLE users ADD COLUMN confirmed_at DATETIME(3) NULL",
      ),
      // Mails a command queued in its transaction (confirmation requests), until published.
      `CREATE TABLE IF NOT EXISTS mail_outbox (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        recipient VARCHAR(254) NOT NULL,
        message TEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        published_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        KEY idx_mail_outbox_pending (published_at, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
  {
    version: 9,
    name: "mail_caps",
    statements: [
      // The per-recipient cap on alert mails: the current hour's count and the alerts held back.
      `CREATE TABLE IF NOT EXISTS mail_caps (
        email VARCHAR(254) NOT NULL,
        window_start DATETIME(3) NOT NULL,
        sent INT UNSIGNED NOT NULL,
        held_back INT UNSIGNED NOT NULL,
        PRIMARY KEY (email)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ],
  },
];

/**
 * Statements that run `ddl` only when information_schema.`view` has no row for `table` matching
 * `condition`: an ALTER that is safe to run again on MySQL 8 and MariaDB alike (MySQL has no
 * `ADD COLUMN IF NOT EXISTS`). Session variables hold the choice, so they run on one connection.
 */
function _unlessExists(
  view: "columns" | "statistics",
  table: string,
  condition: string,
  ddl: string,
): string[] {
  const escaped = ddl.replaceAll("'", "''");
  return [
    `SET @tw_ddl = (SELECT IF(COUNT(*) = 0, '${escaped}', 'DO 0') FROM information_schema.${view}
       WHERE table_schema = DATABASE() AND table_name = '${table}' AND ${condition})`,
    "PREPARE tw_stmt FROM @tw_ddl",
    "EXECUTE tw_stmt",
    "DEALLOCATE PREPARE tw_stmt",
  ];
}

const _LOCK = "tickerwatch.migrate";

/**
 * Brings the schema up to date. Safe to run from several processes at once (a named lock
 * serialises them) and again after a crash (statements are idempotent).
 *
 * @returns the versions applied by this call
 */
export async function migrate(
  db: MysqlDatabase,
  { migrations = MIGRATIONS, logger = silentLogger }: {
    migrations?: readonly Migration[];
    logger?: Logger;
  } = {},
): Promise<number[]> {
  return await db.withConnection(async (sql) => {
    const [lock] = await sql.query("SELECT GET_LOCK(?, 60) AS ok", [_LOCK]);
    if ((lock as { ok: number }[])[0]?.ok !== 1) {
      throw new Error("could not take the migration lock within 60 s");
    }
    try {
      await sql.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT NOT NULL PRIMARY KEY,
        name VARCHAR(100) NOT NULL,
        applied_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB`);
      const [rows] = await sql.query("SELECT version FROM schema_migrations");
      const done = new Set((rows as { version: number }[]).map((r) => r.version));
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        for (const statement of m.statements) await sql.query(statement);
        await sql.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          [m.version, m.name, new Date()],
        );
        logger.info("migration applied", { version: m.version, name: m.name });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await sql.query("SELECT RELEASE_LOCK(?)", [_LOCK]);
    }
  });
}
