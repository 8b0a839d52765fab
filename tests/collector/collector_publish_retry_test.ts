import assert from "node:assert/strict";
import { Collector, createLogger, MysqlQuoteStore, SyntheticPriceSource } from "../../core/mod.ts";
import { queryNumber } from "../helpers/mysql.ts";
import { databaseWithUsers } from "../helpers/users.ts";

Deno.test(
  "Collector.runCycle() retries an unacknowledged update, even one flagged not retriable, until Kafka takes it",
  async () => {
    await using tmp = await databaseWithUsers([["ada@example.com", "AAPL", 200, null]]);
    // kafkajs gives up on an outage with a non-retriable KafkaJSNumberOfRetriesExceeded.
    const outage = Object.assign(new Error("broker down"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      retriable: false,
    });
    let attempts = 0;
    const sent: string[] = [];
    const lines: Record<string, unknown>[] = [];
    const collector = new Collector({
      store: new MysqlQuoteStore(tmp.db),
      source: new SyntheticPriceSource({ scripts: { AAPL: [190] } }),
      publisher: {
        send: (_topic, record) => {
          if (++attempts <= 2) return Promise.reject(outage);
          sent.push(String(record.value));
          return Promise.resolve();
        },
      },
      logger: createLogger("test", { sink: (line) => lines.push(JSON.parse(line)) }),
      publishTimeoutMs: 10_000,
    });
    const report = await collector.runCycle();
    assert.equal(report.quotes, 1);
    assert.equal(attempts, 3);
    assert.equal(sent.length, 1);
    const retries = lines.filter((l) => l.msg === "update not acknowledged, retrying");
    assert.deepEqual(retries.map((l) => [l.attempt, l.cycleId]), [
      [1, report.cycleId],
      [2, report.cycleId],
    ]);
    // The first two waits are drawn below 250 and 500 ms.
    assert.ok(retries.every((l, i) => (l.retryInMs as number) <= 250 * 2 ** i));
    assert.equal(
      await queryNumber(
        tmp.url,
        "SELECT COUNT(*) FROM collector_outbox WHERE published_at IS NULL",
      ),
      0,
    );
  },
);
