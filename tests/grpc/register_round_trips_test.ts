// What one RegisterUser costs the database, counted by MariaDB itself on the only connection of
// a one-connection pool: BEGIN, INSERT users, INSERT processed_requests, COMMIT. And what a
// duplicate request id that reaches the ledger (no cache in front) leaves behind: nothing new.
import assert from "node:assert/strict";
import { CommandService, MysqlCommandLedger, MysqlDatabase, RequestCache } from "../../core/mod.ts";
import { migratedDatabase, queryNumber, queryRows } from "../helpers/mysql.ts";

Deno.test("RegisterUser is four statements and one commit; a replayed id commits nothing", async (t) => {
  await using data = await migratedDatabase();
  const db = await MysqlDatabase.connect({ url: data.url, connectionLimit: 1 });
  // A fresh service per call: no in-memory cache, every request goes to the ledger.
  const service = () =>
    new CommandService({
      ledger: new MysqlCommandLedger(db),
      cache: new RequestCache({ maxEntries: 1 }),
    });
  const status = () =>
    db.withConnection(async (sql) => {
      const [rows] = await sql.query(
        "SHOW SESSION STATUS WHERE Variable_name IN " +
          "('Questions', 'Com_begin', 'Com_commit', 'Com_rollback', 'Com_insert', 'Com_update')",
      );
      return Object.fromEntries(
        (rows as { Variable_name: string; Value: string }[]).map((
          r,
        ) => [r.Variable_name, Number(r.Value)]),
      );
    });
  const counted = async (fn: () => Promise<unknown>) => {
    const before = await status();
    await fn();
    const after = await status();
    // Questions counts the second SHOW too.
    return Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v - before[k]! - (k === "Questions" ? 1 : 0)]),
    );
  };
  try {
    // Warm-up: mysql2 prepares each statement once per connection (not counted in Questions).
    await service().register({ email: "warm@example.com", ticker: "AAPL", requestId: "w" });

    await t.step("a new user: BEGIN, two INSERTs, COMMIT", async () => {
      const used = await counted(() =>
        service().register({ email: "ada@example.com", ticker: "AAPL", requestId: "r1" })
      );
      assert.deepEqual(used, {
        Questions: 4,
        Com_begin: 1,
        Com_insert: 2,
        Com_update: 0,
        Com_commit: 1,
        Com_rollback: 0,
      });
    });

    await t.step("the same id again, user deleted meanwhile: replayed, rolled back", async () => {
      await queryRows(data.url, "DELETE FROM users WHERE email = 'ada@example.com'");
      let answer: Awaited<ReturnType<CommandService["register"]>> | undefined;
      const used = await counted(async () => {
        answer = await service().register({
          email: "ada@example.com",
          ticker: "AAPL",
          requestId: "r1",
        });
      });
      assert.equal(answer?.replayed, true);
      assert.equal(answer?.outcome.code, "OK");
      assert.equal(used.Com_commit, 0, "nothing committed");
      assert.equal(used.Com_rollback, 1);
      assert.equal(
        await queryNumber(data.url, "SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'"),
        0,
        "the replay did not register the user again",
      );
    });

    await t.step("concurrent duplicates on two pools: one effect, one stored outcome", async () => {
      const other = await MysqlDatabase.connect({ url: data.url, connectionLimit: 4 });
      try {
        const services = [service(), new CommandService({ ledger: new MysqlCommandLedger(other) })];
        const answers = await Promise.all(
          Array.from(
            { length: 20 },
            (_, i) =>
              services.map((s) =>
                s.register({ email: `u${i}@example.com`, ticker: "AAPL", requestId: `d${i}` })
              ),
          ).flat(),
        );
        for (let i = 0; i < 20; i++) {
          const [a, b] = [answers[2 * i]!, answers[2 * i + 1]!];
          assert.equal(a.outcome.code, "OK");
          assert.deepEqual(b.outcome, a.outcome);
          assert.equal(Number(a.replayed) + Number(b.replayed), 1, `d${i}: one ran, one replayed`);
        }
        assert.equal(
          await queryNumber(data.url, "SELECT COUNT(*) FROM users WHERE email LIKE 'u%'"),
          20,
        );
        assert.equal(
          await queryNumber(
            data.url,
            "SELECT COUNT(*) FROM processed_requests WHERE request_id LIKE 'd%' AND status = 'OK'",
          ),
          20,
        );
      } finally {
        await other.close();
      }
    });
  } finally {
    await db.close();
  }
});
