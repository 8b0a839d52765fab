import assert from "node:assert/strict";
import {
  AlertSystem,
  createLogger,
  type MysqlDatabase,
  MysqlThresholdEvaluator,
  type PriceUpdate,
  type RecordPublisher,
} from "../../core/mod.ts";
import { databaseWithUsers, type UserRow } from "../helpers/users.ts";

/** One user with a high threshold of 480.5 on BRK-B. */
const USERS: UserRow[] = [["ann@example.com", "BRK-B", 480.5, null]];
const CYCLE = "5f0c8a52-3b1e-4c8e-9a57-2d6f1e0b7c3a";

/** Records what is sent, or fails every send when `failing`. */
class RecordingPublisher implements RecordPublisher {
  readonly sent: { topic: string; key: string; value: string }[] = [];
  failing = false;
  send(topic: string, record: { key: string; value: string }): Promise<unknown> {
    if (this.failing) return Promise.reject(new Error("broker unavailable"));
    this.sent.push({ topic, ...record });
    return Promise.resolve();
  }
}

/** An alert system on `db` that publishes to a {@linkcode RecordingPublisher}. */
function alertSystem(db: MysqlDatabase) {
  const publisher = new RecordingPublisher();
  const system = new AlertSystem({
    evaluator: new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0.005 }),
    publisher,
    logger: createLogger("test", { sink: () => {} }),
    topic: "to-notifier-test",
  });
  return { publisher, system };
}

const UPDATE: PriceUpdate = {
  version: 1,
  cycle_id: CYCLE,
  collected_at: "2026-01-05T15:30:01.000Z",
  quotes: [{ ticker: "BRK-B", price: 497.63, at: "2026-01-05T15:30:00.000Z" }],
};

Deno.test(
  "AlertSystem.handleUpdate() publishes each crossing as the same message bytes as before, keyed by email",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const { publisher, system } = alertSystem(tmp.db);
    const report = await system.handleUpdate(UPDATE);
    assert.equal(report.alerts, 1);
    assert.equal(report.transitions, 1);
    assert.deepEqual(publisher.sent, [{
      topic: "to-notifier-test",
      key: "ann@example.com",
      value: '{"version":1,"alert_id":"954126ec3cc5524c661ab10e5e920e0f",' +
        '"email":"ann@example.com","ticker":"BRK-B","threshold_value":480.5,' +
        '"threshold_type":"HIGH","value_ticker":497.63,"timestamp":"2026-01-05T15:30:00.000Z"}',
    }]);
    // Committed after the publish: the same crossing does not fire again.
    assert.equal((await system.handleUpdate({ ...UPDATE, cycle_id: "next" })).alerts, 0);
  },
);

Deno.test(
  "AlertSystem.handleUpdate() stores no state when publishing fails, so a retry gives the same alert",
  async () => {
    await using tmp = await databaseWithUsers(USERS);
    const { publisher, system } = alertSystem(tmp.db);
    publisher.failing = true;
    await assert.rejects(system.handleUpdate(UPDATE), /broker unavailable/);
    publisher.failing = false;
    await system.handleUpdate(UPDATE);
    assert.equal(publisher.sent.length, 1);
    assert.match(publisher.sent[0]!.value, /"alert_id":"954126ec3cc5524c661ab10e5e920e0f"/);
  },
);
