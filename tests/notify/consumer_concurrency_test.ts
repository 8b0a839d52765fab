import assert from "node:assert/strict";
import { z } from "zod";
import { BatchingProducer, ConsumerRunner } from "../../core/mod.ts";
import { randomName, waitFor } from "../_kafka.ts";
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
