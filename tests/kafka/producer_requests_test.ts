/**
 * The shape of BatchingProducer's produce requests on the real cluster: one request per broker
 * per round, carrying the head batch of every partition that broker leads (as the Java client's
 * drain does), each batch still at most 500 bytes; and a broker that is down holds back only the
 * partitions it leads.
 */
import assert from "node:assert/strict";
import type { Admin } from "kafkajs";
import {
  BatchingProducer,
  type BatchReport,
  type ProduceRequestEvent,
  type RecordPosition,
  type RequestReport,
} from "../../core/mod.ts";
import {
  clusterScript,
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  randomName,
  testKafka,
  waitFor,
  waitHealthy,
} from "../_kafka.ts";
import { readAll, storedBatchBytes, withKafkaTopics } from "../helpers/kafka_topics.ts";

/** Leader node id of each partition of `topic`, and `host:port` → node id of the brokers. */
async function leadersOf(admin: Admin, topic: string) {
  const [{ brokers }, { topics }] = await Promise.all([
    admin.describeCluster(),
    admin.fetchTopicMetadata({ topics: [topic] }),
  ]);
  const leader = new Map(topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
  const nodeOf = new Map(brokers.map((b) => [`${b.host}:${b.port}`, b.nodeId]));
  return { leader, nodeOf };
}

Deno.test(
  "BatchingProducer sends one produce request per broker per round, carrying the head batch of every partition the broker leads (12 partitions)",
  () =>
    withKafkaTopics([{ prefix: "t-requests", partitions: 12 }], async ({ kafka, admin, names }) => {
      const topic = names[0]!;
      await waitHealthy(admin);
      const { leader, nodeOf } = await leadersOf(admin, topic);
      const batches: BatchReport[] = [];
      const requests: RequestReport[] = [];
      const wire: ProduceRequestEvent[] = [];
      const producer = await BatchingProducer.connect({
        kafka,
        lingerMs: 20,
        onBatch: (r) => void batches.push(r),
        onRequest: (r) => void requests.push(r),
        onProduceRequest: (e) => void wire.push(e),
      });
      const keys = Array.from({ length: 120 }, (_, i) => `user-${i}@example.com`);
      const records = Array.from({ length: 1200 }, (_, i) => ({
        key: keys[i % keys.length]!,
        value: JSON.stringify({ version: 1, seq: i, pad: "x".repeat(40 + (i * 13) % 60) }),
      }));
      let positions: RecordPosition[];
      try {
        positions = await Promise.all(records.map((r) => producer.send(topic, r)));
      } finally {
        await producer.close();
      }

      // Every partition got records, in several batches of at most 500 bytes.
      const perPartition = new Map<number, number>();
      for (const b of batches) {
        assert.ok(b.bytes <= 500, `batch of ${b.count} records has ${b.bytes} bytes`);
        perPartition.set(b.partition, (perPartition.get(b.partition) ?? 0) + 1);
      }
      assert.equal(perPartition.size, 12);
      assert.equal(batches.reduce((n, b) => n + b.count, 0), records.length);

      // Our requests: at most one batch per partition, only partitions the broker leads, and
      // per broker no more requests than rounds (the most batches one of its partitions had).
      for (const r of requests) {
        const parts = r.batches.map((b) => b.partition);
        assert.equal(new Set(parts).size, parts.length, "one batch per partition per request");
        for (const p of parts) assert.equal(leader.get(p), r.broker, `leader of partition ${p}`);
      }
      const brokers = new Set(leader.values());
      for (const broker of brokers) {
        const led = [...leader].filter(([, l]) => l === broker).map(([p]) => p);
        const rounds = Math.max(...led.map((p) => perPartition.get(p) ?? 0));
        const sent = requests.filter((r) => r.broker === broker).length;
        assert.ok(sent <= rounds, `broker ${broker}: ${sent} requests for ${rounds} rounds`);
        // The first round carries a batch of every partition the broker leads.
        const first = requests.find((r) => r.broker === broker)!;
        assert.deepEqual(
          first.batches.map((b) => b.partition).sort((a, b) => a - b),
          led.sort((a, b) => a - b),
        );
      }

      // The wire, as kafkajs's instrumentation saw it: as many Produce requests as ours (none
      // split or retried), far fewer than batches, each to the broker we addressed, and never
      // two in flight to one broker.
      assert.equal(wire.length, requests.length, `${wire.length} Produce requests on the wire`);
      assert.ok(
        wire.length * 2 <= batches.length,
        `${wire.length} requests for ${batches.length} batches`,
      );
      const wirePerBroker = new Map<number, number>();
      for (const e of wire) {
        const node = nodeOf.get(e.broker);
        assert.ok(node !== undefined, `unknown broker ${e.broker}`);
        wirePerBroker.set(node, (wirePerBroker.get(node) ?? 0) + 1);
      }
      for (const broker of brokers) {
        assert.equal(
          wirePerBroker.get(broker),
          requests.filter((r) => r.broker === broker).length,
          `requests to broker ${broker}`,
        );
      }

      // The broker's view: the stored record batches are ours, at most 500 bytes each; order
      // per key kept; every record at the offset send() reported.
      const stored = await readAll(kafka, topic, records.length);
      assert.equal(stored.length, records.length);
      const perBatch = storedBatchBytes(stored);
      for (const [id, bytes] of perBatch) assert.ok(bytes <= 500, `stored batch ${id}: ${bytes}`);
      assert.equal(perBatch.size, batches.length);
      const at = new Map(
        stored.map(({ partition, message }) => [
          `${partition}/${message.offset}`,
          message.value!.toString(),
        ]),
      );
      positions.forEach((p, i) =>
        assert.equal(at.get(`${p.partition}/${p.offset}`), records[i]!.value, `record ${i}`)
      );
      const byKey = new Map<string, number[]>();
      for (
        const { message } of stored.sort((a, b) =>
          Number(a.message.offset) - Number(b.message.offset)
        )
      ) {
        const seq = JSON.parse(message.value!.toString()).seq as number;
        const key = message.key!.toString();
        byKey.set(key, [...(byKey.get(key) ?? []), seq]);
      }
      for (const key of keys) {
        const seqs = byKey.get(key)!;
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of key ${key}`);
      }
    }, { clientId: "test-requests" }),
);

Deno.test(
  "BatchingProducer: a SIGKILLed broker holds back only the partitions it leads; every acked record is stored where reported",
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-broker-down");
    const admin = await connectAdmin(kafka);
    const topic = randomName("t-broker-down");
    const victim = 3;
    // Partitions 0–7 live on brokers 1 and 2 only (acks=all never waits for the victim there),
    // 8–11 are led by the victim.
    const replicaAssignment = Array.from({ length: 12 }, (_, partition) => ({
      partition,
      replicas: partition < 8 ? (partition % 2 ? [1, 2] : [2, 1]) : [victim, 1 + (partition % 2)],
    }));
    let restarted = false;
    try {
      await waitHealthy(admin);
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{
          topic,
          replicaAssignment,
          configEntries: [{ name: "min.insync.replicas", value: "1" }],
        }],
      });
      const { leader } = await leadersOf(admin, topic);
      assert.equal(leader.get(8), victim);
      const producer = await BatchingProducer.connect({ kafka, lingerMs: 5, ackTimeoutMs: 5_000 });
      try {
        // Warm up: metadata cached, connections to every broker open.
        await Promise.all(
          Array.from({ length: 48 }, (_, i) => producer.send(topic, { key: `w${i}`, value: "w" })),
        );
        await clusterScript(["kill", String(victim)]);
        const started = performance.now();
        const results = await Promise.all(Array.from({ length: 240 }, (_, i) => {
          const record = { key: `k${i}`, value: JSON.stringify({ seq: i }) };
          return producer.send(topic, record).then(
            (pos) => ({ record, pos, ms: performance.now() - started }),
            (error: unknown) => ({ record, error, ms: performance.now() - started }),
          );
        }));
        const onLive = results.filter((r) => "pos" in r && r.pos.partition < 8);
        const others = results.filter((r) => !("pos" in r) || r.pos.partition >= 8);
        assert.ok(onLive.length > 100 && others.length > 0, `${onLive.length} on live brokers`);
        // The live brokers' partitions were acked without waiting for the dead broker's
        // request (its connection and retries take seconds).
        const slowest = Math.max(...onLive.map((r) => r.ms));
        const victims = Math.min(...others.map((r) => r.ms));
        assert.ok(slowest < 1_500, `live partitions acked after ${Math.round(slowest)} ms`);
        assert.ok(victims > slowest, `victim's records settled after ${Math.round(victims)} ms`);

        await clusterScript(["start-node", String(victim)]);
        restarted = true;
        await waitHealthy(admin);
        const acked = results.flatMap((r) => "pos" in r ? [r] : []);
        const high = (await admin.fetchTopicOffsets(topic))
          .reduce((n, p) => n + Number(p.high), 0);
        const stored = await readAll(kafka, topic, high);
        const at = new Map(
          stored.map((
            { partition, message },
          ) => [`${partition}/${message.offset}`, message.value!.toString()]),
        );
        for (const { record, pos } of acked) {
          assert.equal(at.get(`${pos.partition}/${pos.offset}`), record.value);
        }
      } finally {
        await producer.close();
      }
    } finally {
      if (!restarted) await clusterScript(["start-node", String(victim)]);
      await waitHealthy(admin);
      await deleteTopics(admin, [topic]);
      await admin.disconnect();
    }
  },
);

Deno.test(
  "BatchingProducer: after a topic's partitions are raised, records for the new partitions are acked there (kafkajs's stale metadata is refreshed, not silently skipped)",
  () =>
    withKafkaTopics([{ prefix: "t-raised", partitions: 3 }], async ({ kafka, admin, names }) => {
      const topic = names[0]!;
      const batches: BatchReport[] = [];
      const producer = await BatchingProducer.connect({
        kafka,
        metadataMaxAgeMs: 200,
        onBatch: (r) => void batches.push(r),
      });
      try {
        // kafkajs's producer learns the topic with 3 partitions.
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => producer.send(topic, { key: `a${i}`, value: "a" })),
        );
        await admin.createPartitions({ topicPartitions: [{ topic, count: 12 }] });
        await waitFor(async () => {
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return topics[0]!.partitions.length === 12 &&
            topics[0]!.partitions.every((p) => p.leader >= 0);
        }, { what: "12 partitions with leaders" });
        await new Promise((r) => setTimeout(r, 300)); // our metadata is stale now
        const records = Array.from({ length: 120 }, (_, i) => ({ key: `b${i}`, value: `b${i}` }));
        const positions = await Promise.all(records.map((r) => producer.send(topic, r)));
        const used = new Set(positions.map((p) => p.partition));
        assert.ok([...used].some((p) => p >= 3), `partitions used: ${[...used]}`);
        const stored = await readAll(kafka, topic, 150);
        const at = new Map(
          stored.map((
            { partition, message },
          ) => [`${partition}/${message.offset}`, message.value!.toString()]),
        );
        positions.forEach((p, i) =>
          assert.equal(at.get(`${p.partition}/${p.offset}`), records[i]!.value)
        );
        assert.equal(stored.length, 150, "nothing stored twice or lost");
      } finally {
        await producer.close();
      }
    }, { clientId: "test-raised" }),
);

Deno.test(
  "BatchingProducer: when the broker refuses one partition of a request, the other partitions' batches are acked once, not sent again",
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-partial");
    const admin = await connectAdmin(kafka);
    const good = randomName("t-partial-ok");
    const bad = randomName("t-partial-refused");
    try {
      await waitHealthy(admin);
      // Both led by broker 1, so one request carries both; the broker refuses the second
      // topic's batches (larger than its max.message.bytes) and stores the first's.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: good, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] },
          {
            topic: bad,
            replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }],
            configEntries: [{ name: "max.message.bytes", value: "60" }],
          },
        ],
      });
      const requests: RequestReport[] = [];
      const producer = await BatchingProducer.connect({
        kafka,
        lingerMs: 20,
        retries: 2,
        onRequest: (r) => void requests.push(r),
      });
      try {
        const settle = (topic: string, i: number) => {
          const record = { key: `k${i}`, value: `${topic}-${i}` };
          return producer.send(topic, record).then(
            (pos) => ({ record, pos }),
            (error: unknown) => ({ record, error }),
          );
        };
        const [ok, refused] = await Promise.all([
          Promise.all(Array.from({ length: 20 }, (_, i) => settle(good, i))),
          Promise.all(Array.from({ length: 20 }, (_, i) => settle(bad, i))),
        ]);
        for (const r of refused) {
          assert.ok("error" in r, "the refused topic's records fail");
          assert.match(String(r.error), /message larger than the max message size/i);
        }
        const acked = ok.flatMap((r) => "pos" in r ? [r] : []);
        assert.equal(acked.length, ok.length, "the other topic's records are acked");
        // The good topic holds each record once (not once per attempt), at the reported offset.
        const [offsets] = await admin.fetchTopicOffsets(good);
        assert.equal(Number(offsets!.high), acked.length, "no second copy");
        const stored = await readAll(kafka, good, acked.length);
        const at = new Map(
          stored.map(({ message }) => [message.offset, message.value!.toString()]),
        );
        for (const { record, pos } of acked) assert.equal(at.get(pos.offset), record.value);
        assert.ok(requests.some((r) => r.broker === 1), "acked by broker 1");
      } finally {
        await producer.close();
      }
    } finally {
      await deleteTopics(admin, [good, bad]);
      await admin.disconnect();
    }
  },
);
