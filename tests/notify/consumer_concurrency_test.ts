import assert from "node:assert/strict";
import { z } from "zod";
import { BatchingProducer, ConsumerRunner } from "../../core/mod.ts";
import { committedOffsets, randomName, waitFor } from "../_kafka.ts";
import { withKafkaTopics } from "../helpers/kafka_topics.ts";
import { committedOffset } from "./_notify.ts";

const Schema = z.object({ version: z.literal(1), key: z.string(), seq: z.number() });

Deno.test(
  "ConsumerRunner with concurrency > 1 keeps each key's order, handles keys in parallel and commits only finished messages",
  () =>
    withKafkaTopics([{ prefix: "t-concurrency", dlq: true }], async ({ kafka, admin, names }) => {
      const topic = names[0]!;
      const groupId = randomName("g-concurrency");
      {
        await using producer = await BatchingProducer.connect({ kafka, maxBatchBytes: 64_000 });
        const sends = [];
        for (let seq = 0; seq < 200; seq++) {
          const key = `k${seq % 10}`;
          sends.push(
            producer.send(topic, { key, value: JSON.stringify({ version: 1, key, seq }) }),
          );
        }
        await Promise.all(sends);
      }
      const seen = new Map<string, number[]>();
      let inFlight = 0;
      let maxInFlight = 0;
      let releaseGate!: () => void;
      const gate = new Promise<void>((r) => releaseGate = r);
      const runner = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        concurrency: 4,
        handler: async ({ value }) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          if (value.seq === 5) await gate; // hold one message of the first chunk
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          seen.set(value.key, [...(seen.get(value.key) ?? []), value.seq]);
          inFlight--;
        },
      });
      try {
        await waitFor(() => seen.size === 9 && [...seen.values()].flat().length >= 20, {
          what: "the other keys to go on while message 5 is held",
        });
        assert.equal(await committedOffset(admin, groupId, topic), "-1");
        assert.ok(!seen.get("k5"), "k5's later messages wait for message 5");
        releaseGate();
        await waitFor(async () => (await committedOffset(admin, groupId, topic)) === "200", {
          what: "all 200 offsets committed",
        });
        for (const [key, seqs] of seen) {
          assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of ${key}`);
          assert.equal(seqs.length, 20, key);
        }
        assert.ok(maxInFlight > 1 && maxInFlight <= 4, `max in flight ${maxInFlight}`);
      } finally {
        releaseGate();
        await runner.stop();
      }
    }, { clientId: "test-concurrency" }),
);

Deno.test(
  "ConsumerRunner with concurrency > 1 processes partitions concurrently, never runs more than concurrency handlers in all, and keeps each key's order",
  () =>
    withKafkaTopics(
      [{ prefix: "t-partitions", partitions: 4, dlq: true }],
      async ({ kafka, admin, names }) => {
        const topic = names[0]!;
        const groupId = randomName("g-partitions");
        {
          await using producer = await BatchingProducer.connect({ kafka, maxBatchBytes: 64_000 });
          const sends = [];
          for (let seq = 0; seq < 400; seq++) {
            const key = `k${seq % 40}`;
            sends.push(
              producer.send(topic, { key, value: JSON.stringify({ version: 1, key, seq }) }),
            );
          }
          await Promise.all(sends);
        }
        const seen = new Map<string, number[]>();
        const running = new Map<number, number>(); // partition → handlers running
        let maxInFlight = 0;
        let maxPartitions = 0;
        const runner = await ConsumerRunner.start({
          kafka,
          groupId,
          topic,
          schema: Schema,
          concurrency: 6,
          handler: async ({ value, partition }) => {
            running.set(partition, (running.get(partition) ?? 0) + 1);
            const inFlight = [...running.values()].reduce((a, b) => a + b, 0);
            maxInFlight = Math.max(maxInFlight, inFlight);
            maxPartitions = Math.max(maxPartitions, [...running.values()].filter((n) => n).length);
            await new Promise((r) => setTimeout(r, 2 + Math.random() * 5));
            seen.set(value.key, [...(seen.get(value.key) ?? []), value.seq]);
            running.set(partition, running.get(partition)! - 1);
          },
        });
        try {
          await waitFor(async () => (await committedOffsets(admin, groupId, topic)) === 400, {
            what: "all 400 offsets committed",
          });
          for (const [key, seqs] of seen) {
            assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of ${key}`);
            assert.equal(seqs.length, 10, key);
          }
          assert.ok(maxInFlight <= 6, `${maxInFlight} handlers at once with concurrency 6`);
          assert.ok(maxPartitions > 1, `at most ${maxPartitions} partition at a time`);
        } finally {
          await runner.stop();
        }
      },
      { clientId: "test-partitions" },
    ),
);
