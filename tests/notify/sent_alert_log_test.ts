import assert from "node:assert/strict";
import { MysqlSentAlertLog, type SentAlert, type SentAlertLog } from "../../core/mod.ts";
import { migratedDatabase, queryRows } from "../helpers/mysql.ts";

function sent(alertId: string, sentAt: Date): SentAlert {
  return { alertId, email: "ann@example.com", ticker: "AAPL", thresholdType: "HIGH", sentAt };
}

/** The contract every SentAlertLog adapter keeps; `clock` moves the adapter's notion of now. */
function sentAlertLogContract(
  name: string,
  make: (clock: { now: Date }) => Promise<{ log: SentAlertLog } & AsyncDisposable>,
) {
  Deno.test(`${name}.wasSent() is false until record(), then true`, async () => {
    await using env = await make({ now: new Date() });
    assert.equal(await env.log.wasSent("a1"), false);
    await env.log.record(sent("a1", new Date()));
    assert.equal(await env.log.wasSent("a1"), true);
    assert.equal(await env.log.wasSent("a2"), false);
  });

  Deno.test(`${name}.record() of an id recorded already is not an error`, async () => {
    await using env = await make({ now: new Date() });
    await env.log.record(sent("a1", new Date("2026-01-01T00:00:00Z")));
    await env.log.record(sent("a1", new Date("2026-01-02T00:00:00Z")));
    await Promise.all([
      env.log.record(sent("a2", new Date())),
      env.log.record(sent("a2", new Date())),
    ]);
    assert.equal(await env.log.wasSent("a1"), true);
    assert.equal(await env.log.wasSent("a2"), true);
  });

  Deno.test(`${name}.purge() deletes only records older than the retention`, async () => {
    const clock = { now: new Date("2026-01-10T00:00:00Z") };
    await using env = await make(clock);
    await env.log.record(sent("old", new Date("2026-01-01T00:00:00Z")));
    await env.log.record(sent("new", new Date("2026-01-09T12:00:00Z")));
    assert.equal(await env.log.purge(24 * 3600_000), 1);
    assert.equal(await env.log.wasSent("old"), false);
    assert.equal(await env.log.wasSent("new"), true);
    assert.equal(await env.log.purge(24 * 3600_000), 0);
  });
}

sentAlertLogContract("MysqlSentAlertLog", async (clock) => {
  const fresh = await migratedDatabase();
  return {
    log: new MysqlSentAlertLog(fresh.db, { now: () => clock.now }),
    [Symbol.asyncDispose]: () => fresh[Symbol.asyncDispose](),
  };
});

Deno.test(
  "MysqlSentAlertLog.record() stores the alert's fields and keeps the first row",
  async () => {
    await using fresh = await migratedDatabase();
    const log = new MysqlSentAlertLog(fresh.db);
    const id = "f".repeat(64);
    await log.record({ ...sent(id, new Date("2026-01-05T15:31:02.123Z")), thresholdType: "LOW" });
    await log.record({ ...sent(id, new Date("2026-02-01T00:00:00Z")), ticker: "MSFT" });
    const rows = await queryRows(fresh.url, "SELECT * FROM sent_alerts");
    assert.deepEqual(rows, [{
      alert_id: id,
      email: "ann@example.com",
      ticker: "AAPL",
      threshold_type: "LOW",
      sent_at: new Date("2026-01-05T15:31:02.123Z"),
    }]);
  },
);

Deno.test(
  "MysqlSentAlertLog answers many concurrent calls (shared statements) each with its own result",
  async () => {
    await using fresh = await migratedDatabase();
    const log = new MysqlSentAlertLog(fresh.db);
    const ids = Array.from({ length: 1_200 }, (_, i) => `id-${i}`);
    await Promise.all(
      ids.filter((_, i) => i % 2 === 0).map((id) => log.record(sent(id, new Date()))),
    );
    const answers = await Promise.all(ids.map((id) => log.wasSent(id)));
    assert.deepEqual(answers, ids.map((_, i) => i % 2 === 0));
    const [row] = await queryRows(fresh.url, "SELECT COUNT(*) AS n FROM sent_alerts");
    assert.equal(Number(row!.n), 600);
  },
);
