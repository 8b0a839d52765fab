import assert from "node:assert/strict";
import { BatchingProducer, type BatchReport, recordBytes } from "../../core/mod.ts";
import { clusterScript, waitFor, waitHealthy } from "../_kafka.ts";
import { readAll, storedBatchBytes, withKafkaTopics } from "../helpers/kafka_topics.ts";

Deno.test("recordBytes() counts the UTF-8 bytes of key, value and headers", () => {
  assert.equal(recordBytes({ key: "ab", value: "é", headers: { h: "xyz" } }), 2 + 2 + 1 + 3);
  assert.equal(recordBytes({ key: null, value: new Uint8Array(7) }), 7);
});

Deno.test(
  "BatchingProducer sends batches of at most 500 bytes, each record alone only when it is larger, in order per key",
  () =>
    withKafkaTopics([{ prefix: "t-batches", partitions: 3 }], async ({ kafka, names }) => {
      const topic = names[0]!;
      const reports: BatchReport[] = [];
      const producer = await BatchingProducer.connect({
        kafka,
        lingerMs: 20,
        onBatch: (r) => void reports.push(r),
      });
      const keys = ["AAPL", "BRK-B", "EURUSD=X", "BTC-USD", "MSFT"];
      const records = Array.from({ length: 400 }, (_, i) => ({
        key: keys[i % keys.length]!,
        value: JSON.stringify({ version: 1, seq: i, pad: "x".repeat((i * 37) % 120) }),
      }));
      const big = {
        key: "BIG",
        value: JSON.stringify({ version: 1, seq: 400, pad: "y".repeat(800) }),
      };
      const positions = await Promise.all([...records, big].map((r) => producer.send(topic, r)));
      await producer.close();

      // Our own accounting: no batch over 500 bytes except the single oversized record.
      assert.ok(
        reports.length < records.length / 2,
        `records were batched (${reports.length} batches)`,
      );
      for (const r of reports) {
        if (r.count > 1) {
          assert.ok(r.bytes <= 500, `batch of ${r.count} records has ${r.bytes} bytes`);
        } else assert.ok(r.bytes <= 500 || r.bytes === recordBytes(big));
      }
      assert.equal(reports.reduce((n, r) => n + r.count, 0), records.length + 1);

      // The broker's view: group records by the record batch they were stored in.
      const stored = await readAll(kafka, topic, records.length + 1);
      const perBatch = storedBatchBytes(stored);
      for (const [id, bytes] of perBatch) {
        assert.ok(
          bytes <= 500 || bytes === recordBytes(big),
          `stored batch ${id} has ${bytes} bytes`,
        );
      }
      assert.equal(perBatch.size, reports.length);

      // Order per key, and every record at the offset send() reported.
      const byKey = new Map<string, number[]>();
      for (
        const { message } of stored.sort((a, b) =>
          Number(a.message.offset) - Number(b.message.offset)
        )
      ) {
        const seq = JSON.parse(message.value!.toString()).seq as number;
        byKey.set(message.key!.toString(), [...(byKey.get(message.key!.toString()) ?? []), seq]);
      }
      for (const key of keys) {
        const seqs = byKey.get(key)!;
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of key ${key}`);
        assert.equal(seqs.length, records.length / keys.length);
      }
      const offsets = new Set(
        stored.map(({ partition, message }) => `${partition}/${message.offset}`),
      );
      for (const p of positions) assert.ok(offsets.has(`${p.partition}/${p.offset}`));
    }, { clientId: "test-producer" }),
);

Deno.test(
  "BatchingProducer.send() rejects while the ISR is below min.insync.replicas and every acked record is stored where reported",
  () =>
    withKafkaTopics(
      [{ prefix: "t-acks", minInsyncReplicas: 3 }],
      async ({ kafka, admin, names }) => {
        const topic = names[0]!;
        await waitHealthy(admin);
        const meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!
          .partitions[0]!;
        const follower = meta.replicas.find((r) => r !== meta.leader)!;
        const producer = await BatchingProducer.connect({ kafka, lingerMs: 0, ackTimeoutMs: 1500 });
        let restarted = false;
        try {
          const before = await producer.send(topic, { key: "k", value: "before" });
          assert.equal(before.offset, "0");

          await clusterScript(["kill", String(follower)]);
          await assert.rejects(
            producer.send(topic, { key: "k", value: "during" }),
            /fewer in-sync replicas|NOT_ENOUGH_REPLICAS|timed out/i,
          );
          await waitFor(async () => {
            const p = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!
              .partitions[0]!;
            return !p.isr.includes(follower);
          }, { what: `node ${follower} to leave the ISR` });
          await assert.rejects(
            producer.send(topic, { key: "k", value: "fenced" }),
            /fewer in-sync replicas|NOT_ENOUGH_REPLICAS/i,
          );

          await clusterScript(["start-node", String(follower)]);
          restarted = true;
          await waitHealthy(admin);
          const after = [];
          for (const v of ["after-1", "after-2", "after-3"]) {
            after.push(await producer.send(topic, { key: "k", value: v }));
          }

          // A failed send may have been stored (at-least-once), but an acked one is never lost:
          // this is what rules out kafkajs's idempotent producer (see BatchingProducer's JSDoc).
          const high = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
          const stored = await readAll(kafka, topic, high);
          const at = new Map(
            stored.map(({ message }) => [message.offset, message.value!.toString()]),
          );
          assert.equal(at.get("0"), "before");
          after.forEach((pos, i) => assert.equal(at.get(pos.offset), `after-${i + 1}`));
        } finally {
          await producer.close();
          if (!restarted) await clusterScript(["start-node", String(follower)]);
          await waitHealthy(admin);
        }
      },
      { clientId: "test-acks" },
    ),
);
