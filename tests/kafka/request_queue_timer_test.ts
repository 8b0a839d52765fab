/**
 * kafkajs 2.2.4's request queues re-arm a 1 ms timer forever once a connection got a response
 * (core/kafka/request_queue_timer.ts). With the fix, an idle connection checks its queue only
 * when a response or a queued request asks for it.
 */
import assert from "node:assert/strict";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { requestQueueTimerFixed } from "../../core/kafka/request_queue_timer.ts";
import { connectAdmin, ensureKafkaCluster, testKafka } from "../_kafka.ts";

Deno.test("an idle kafkajs connection runs no 1 ms queue-check timer", async () => {
  await ensureKafkaCluster();
  assert.equal(requestQueueTimerFixed(), true);
  const proto = (RequestQueue as unknown as { prototype: { checkPendingRequests(): void } })
    .prototype;
  const check = proto.checkPendingRequests;
  let checks = 0;
  proto.checkPendingRequests = function (this: unknown) {
    checks++;
    return check.call(this);
  };
  const admin = await connectAdmin(testKafka("request-queue-timer"));
  try {
    await admin.listTopics();
    // The queue of the connection kafkajs uses is this module's: a response checks it.
    assert.ok(checks > 0, "kafkajs did not use the patched RequestQueue");
    checks = 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Unfixed: one check per millisecond per connection (~500 here); fixed: none while idle.
    assert.ok(checks < 5, `an idle connection checked its queue ${checks} times in 500 ms`);
  } finally {
    proto.checkPendingRequests = check;
    await admin.disconnect();
  }
});
