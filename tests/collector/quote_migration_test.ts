import assert from "node:assert/strict";
import { migrate } from "../../core/mysql/migrations.ts";
import { migratedDatabase, queryRows } from "../helpers/mysql.ts";

Deno.test("migrate() adds the quotes' currency and market_time once, and can run that step again", async () => {
  await using tmp = await migratedDatabase();
  // As after a crash between the step's statements and its bookkeeping row.
  await queryRows(
    tmp.url,
    "DELETE FROM schema_migrations WHERE name = 'quotes_currency_market_time'",
  );
  const again = await migrate(tmp.db);
  assert.equal(again.length, 1);
  const columns = await queryRows<{ COLUMN_NAME: string }>(
    tmp.url,
    `SELECT COLUMN_NAME FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'quotes' ORDER BY ORDINAL_POSITION`,
  );
  assert.deepEqual(columns.map((c) => c.COLUMN_NAME), [
    "id",
    "ticker",
    "price",
    "at",
    "currency",
    "market_time",
  ]);
  const indexes = await queryRows<{ n: number }>(
    tmp.url,
    `SELECT COUNT(DISTINCT index_name) AS n FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = 'quotes'
        AND index_name = 'idx_quotes_ticker_market_time'`,
  );
  assert.equal(Number(indexes[0]!.n), 1);
});
