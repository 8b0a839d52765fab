import assert from "node:assert/strict";
import {
  Collector,
  MysqlQuoteStore,
  PriceUpdateSchema,
  silentLogger,
  SyntheticPriceSource,
} from "../../core/mod.ts";
import { migratedDatabase, queryNumber, queryRows } from "../helpers/mysql.ts";

Deno.test(
  "Collector keeps an unpublished cycle in its outbox and publishes it first next time",
  async () => {
    await using tmp = await migratedDatabase();
    const { db } = tmp;
    const now = new Date();
    await queryRows(
      tmp.url,
      "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
      [[["ada@example.com", "AAPL", 200, null, now, now]]],
    );
    let kafkaUp = false;
    const sent: string[] = [];
    const publisher = {
      send: (_topic: string, record: { key: string; value: string }) => {
        if (!kafkaUp) {
          return Promise.reject(
            new Error("KafkaJSNumberOfRetriesExceeded: broker down"),
          );
        }
        sent.push(record.value);
        return Promise.resolve();
      },
    };
    const collector = new Collector({
      store: new MysqlQuoteStore(db),
      source: new SyntheticPriceSource({ scripts: { AAPL: [190, 210, 220] } }),
      publisher,
      logger: silentLogger,
      publishTimeoutMs: 300,
    });

    // Kafka is down for longer than the publish timeout: the cycle fails, nothing is lost.
    await assert.rejects(() => collector.runCycle(), /broker down/);
    assert.equal(await queryNumber(tmp.url, "SELECT COUNT(*) FROM quotes"), 1);
    assert.equal(
      await queryNumber(
        tmp.url,
        "SELECT COUNT(*) FROM collector_outbox WHERE published_at IS NULL",
      ),
      1,
    );

    // A new collector (as after a restart) sends the missed cycle before its own, in order.
    kafkaUp = true;
    const restarted = new Collector({
      store: new MysqlQuoteStore(db),
      source: new SyntheticPriceSource({ scripts: { AAPL: [210] } }),
      publisher,
      logger: silentLogger,
    });
    const report = await restarted.runCycle();
    assert.equal(report.quotes, 1);
    const prices = sent.map((v) => PriceUpdateSchema.parse(JSON.parse(v)).quotes[0]!.price);
    assert.deepEqual(prices, [190, 210]);
    assert.equal(
      await queryNumber(
        tmp.url,
        "SELECT COUNT(*) FROM collector_outbox WHERE published_at IS NULL",
      ),
      0,
    );
    assert.equal(await restarted.publishPending(), 0);
  },
);
