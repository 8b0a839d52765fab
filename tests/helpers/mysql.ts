import mysql from "mysql2/promise";
import { MysqlDatabase } from "../../core/mod.ts";
import { migrate } from "../../core/mysql/migrations.ts";

/** Server URL of the MySQL-compatible server the tests use (TEST_MYSQL_URL or local root). */
export const TEST_MYSQL_SERVER = Deno.env.get("TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306";

/** A random database name for one test run: tw_test_<random>. */
export function randomDatabaseName(prefix = "tw_test"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/**
 * A fresh database URL (the database is created on first connect by the code under test) and
 * a disposer that drops it.
 */
export function freshDatabase(
  prefix?: string,
): { url: string; drop(): Promise<void> } & AsyncDisposable {
  const name = randomDatabaseName(prefix);
  const url = `${TEST_MYSQL_SERVER}/${name}`;
  const drop = async () => {
    const conn = await mysql.createConnection({ uri: TEST_MYSQL_SERVER });
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await conn.end();
    }
  };
  return { url, drop, [Symbol.asyncDispose]: drop };
}

/**
 * A fresh database with tickerwatch's tables, and a {@linkcode MysqlDatabase} on it; disposing
 * closes the connection and drops the database.
 */
export async function migratedDatabase(
  prefix?: string,
): Promise<{ url: string; db: MysqlDatabase } & AsyncDisposable> {
  const fresh = freshDatabase(prefix);
  const db = await MysqlDatabase.connect({ url: fresh.url });
  const dispose = async () => {
    await db.close();
    await fresh.drop();
  };
  try {
    await migrate(db);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { url: fresh.url, db, [Symbol.asyncDispose]: dispose };
}

/** Runs one query against `url` on a short-lived connection and returns its rows. */
export async function queryRows<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const conn = await mysql.createConnection({ uri: url, timezone: "Z" });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

/** Every row of the tickerwatch tables, to prove that a rejected call changed nothing. */
export async function snapshotTables(url: string): Promise<string> {
  const parts: string[] = [];
  for (const table of ["users", "quotes", "processed_requests"]) {
    parts.push(JSON.stringify(await queryRows(url, `SELECT * FROM ${table} ORDER BY 1`)));
  }
  return parts.join("\n");
}

/** The single number a `SELECT COUNT(*) AS n …` style query returns. */
export async function queryNumber(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const [row] = await queryRows<Record<string, unknown>>(url, sql, params);
  return Number(Object.values(row ?? {})[0]);
}
