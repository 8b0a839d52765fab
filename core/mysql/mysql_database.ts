import mysql from "mysql2/promise";
import type { MysqlTls } from "../config/security_config.ts";
import type { Logger } from "../log/logger.ts";
import { redactUrl, silentLogger } from "../log/logger.ts";
import { DatabaseUnavailableError } from "../runtime/database_unavailable_error.ts";

/** A connection taken from the pool, inside or outside a transaction. */
export type Sql = mysql.PoolConnection;

/** Options of {@linkcode MysqlDatabase.connect}. */
export interface MysqlDatabaseOptions {
  /** mysql://user:password@host:port/database */
  url: string;
  /** Most open connections; default 10. */
  connectionLimit?: number;
  /** Create the database when it is missing; default true. */
  createDatabase?: boolean;
  /** Where pool start-up (URL without password) and failed rollbacks are logged; default silent. */
  logger?: Logger;
  /** TLS to the server (CA, client certificate, verification); absent or null: plaintext. */
  tls?: MysqlTls | null;
}

// Error codes that mean "the server is not there", not "the statement is wrong".
const _UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_SERVER_GONE_ERROR",
  "ER_SERVER_LOST",
  "ER_QUERY_INTERRUPTED",
]);

/** True when `err` says the database is unreachable (a retriable fault). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  const e = err as { code?: string; fatal?: boolean; message?: string } | null;
  if (!e || typeof e !== "object") return false;
  if (e.fatal === true) return true;
  if (e.code && _UNAVAILABLE_CODES.has(e.code)) return true;
  return /Pool is closed|connect ETIMEDOUT|Connection lost|closed state/i.test(e.message ?? "");
}

/** Wraps unreachable-server errors into {@linkcode DatabaseUnavailableError}; others pass. */
export function classifyDbError(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError || !isUnavailable(err)) return err;
  const code = (err as { code?: string }).code ?? "unknown";
  return new DatabaseUnavailableError(`database unavailable (${code})`, { cause: err });
}

const _DELETE_CHUNK = 10_000;

/** The database name in a mysql:// URL, checked to be a plain identifier. */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new Error(`database name "${name}" must be 1-64 letters, digits or underscores`);
  }
  return name;
}

/** mysql2's `ssl` option for `tls`: the PEM files read, verification as asked. */
export function mysqlSslOptions(tls: MysqlTls): mysql.SslOptions {
  const ssl: mysql.SslOptions = { rejectUnauthorized: tls.verify };
  if (tls.caFile !== undefined) ssl.ca = Deno.readTextFileSync(tls.caFile);
  if (tls.certFile !== undefined) ssl.cert = Deno.readTextFileSync(tls.certFile);
  if (tls.keyFile !== undefined) ssl.key = Deno.readTextFileSync(tls.keyFile);
  return ssl;
}

function _connectionOptions(
  raw: string,
  tls: MysqlTls | null,
): mysql.ConnectionOptions & { database: string } {
  const url = new URL(raw);
  return {
    ...(tls ? { ssl: mysqlSslOptions(tls) } : {}),
    host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || "root",
    password: decodeURIComponent(url.password),
    database: databaseNameOf(raw),
    timezone: "Z",
    connectTimeout: 5_000,
    supportBigNumbers: true,
    // No stack trace captured at every query (mysql2's default, for the caller's frames in an
    // error's stack): 4-6 % of a gRPC server's CPU under load. Errors keep message and code.
    trace: false,
  };
}

/**
 * A mysql2 pool with transactions and error classification. Reconnects by itself: a query during
 * an outage throws {@linkcode DatabaseUnavailableError}, the next one after the server is back
 * gets a fresh connection.
 */
export class MysqlDatabase {
  /** The underlying mysql2 pool, for what this class does not wrap. */
  readonly pool: mysql.Pool;
  readonly #logger: Logger;

  private constructor(pool: mysql.Pool, logger: Logger) {
    this.pool = pool;
    this.#logger = logger;
  }

  /**
   * Opens a pool on `url`, first creating the database if missing.
   *
   * @throws {DatabaseUnavailableError} when the server cannot be reached
   */
  static async connect(options: MysqlDatabaseOptions): Promise<MysqlDatabase> {
    const logger = options.logger ?? silentLogger;
    const common = _connectionOptions(options.url, options.tls ?? null);
    if (options.createDatabase ?? true) {
      let conn: mysql.Connection | undefined;
      try {
        const { database: _, ...server } = common;
        conn = await mysql.createConnection(server);
        await conn.query(
          `CREATE DATABASE IF NOT EXISTS \`${common.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        );
      } catch (err) {
        throw classifyDbError(err);
      } finally {
        await conn?.end().catch(() => {});
      }
    }
    const pool = mysql.createPool({
      ...common,
      connectionLimit: options.connectionLimit ?? 10,
      waitForConnections: true,
      queueLimit: 1_000,
      enableKeepAlive: true,
      multipleStatements: false,
    });
    logger.info("mysql pool ready", { url: redactUrl(options.url), tls: options.tls != null });
    return new MysqlDatabase(pool, logger);
  }

  /** Runs `fn` on one pooled connection (no transaction). */
  async withConnection<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    let conn: mysql.PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (err) {
      throw classifyDbError(err);
    }
    let broken = false;
    try {
      return await fn(conn);
    } catch (err) {
      broken = isUnavailable(err);
      throw classifyDbError(err);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.beginTransaction();
      try {
        const result = await fn(conn);
        await conn.commit();
        return result;
      } catch (err) {
        await conn.rollback().catch((e) => this.#logger.debug("rollback failed", { err: e }));
        throw err;
      }
    });
  }

  /**
   * Deletes the rows of `table` whose `column` is older than `cutoff`, 10,000 rows per statement
   * so no single statement holds locks for long; returns how many went. `table` and `column` are
   * code constants, never input.
   */
  async deleteOlderThan(table: string, column: string, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const affected = await this.withConnection(async (sql) => {
        const [result] = await sql.query(
          `DELETE FROM ${table} WHERE ${column} < ? LIMIT ${_DELETE_CHUNK}`,
          [cutoff],
        );
        return (result as { affectedRows: number }).affectedRows;
      });
      total += affected;
      if (affected < _DELETE_CHUNK) return total;
    }
  }

  /** A cheap round trip; throws when the server is unreachable. */
  async ping(): Promise<void> {
    await this.withConnection((conn) => conn.query("SELECT 1"));
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
