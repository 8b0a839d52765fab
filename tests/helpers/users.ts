/**
 * `databaseWithUsers`: a migrated database (see `migratedDatabase`) whose `users` table holds
 * the given subscriptions, closed and dropped when disposed.
 */
import type { MysqlDatabase } from "../../core/mod.ts";
import { migratedDatabase, queryRows } from "./mysql.ts";

/** One subscription: email, ticker, high threshold, low threshold (null: none). */
export type UserRow = readonly [
  email: string,
  ticker: string,
  high: number | null,
  low: number | null,
];

/** Inserts `rows` into `users`, created and updated now. */
export async function insertUsers(url: string, rows: readonly UserRow[]): Promise<void> {
  const now = new Date();
  await queryRows(
    url,
    "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
    [rows.map((row) => [...row, now, now])],
  );
}

/** A fresh migrated database holding `rows` in `users`; disposing closes and drops it. */
export async function databaseWithUsers(
  rows: readonly UserRow[],
): Promise<{ url: string; db: MysqlDatabase } & AsyncDisposable> {
  const tmp = await migratedDatabase();
  try {
    await insertUsers(tmp.url, rows);
  } catch (err) {
    await tmp[Symbol.asyncDispose]();
    throw err;
  }
  return tmp;
}
