import assert from "node:assert/strict";
import { z } from "zod";
import type { Admin, Kafka } from "kafkajs";
import {
  BatchingProducer,
  ConsumerRunner,
  createLogger,
  DLQ_HEADERS,
  dlqTopicOf,
  type DlqValue,
  ensureTopics,
  MessageHandlingError,
} from "../../core/mod.ts";
import {
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  kafkaTestOptions,
  randomName,
  testKafka,
  waitFor,
} from "../_kafka.ts";

const Schema = z.object({ version: z.literal(1), n: z.number() });

/** Creates a 1-partition topic and its DLQ; returns the names. */
async function topicWithDlq(admin: Admin, prefix: string): Promise<[string, string]> {
  const topic = randomName(prefix);
  await ensureTopics(admin, [{ topic, partitions: 1 }, {
    topic: dlqTopicOf(topic),
    partitions: 1,
  }]);
  return [topic, dlqTopicOf(topic)];
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  await using producer = await BatchingProducer.connect({ kafka });
  for (const value of values) await producer.send(topic, { key: "k", value });
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<string> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t!.partitions[0]!.offset;
}

const msg = (n: number) => JSON.stringify({ version: 1, n });

Deno.test(
  "ConsumerRunner commits only after the handler: a member that crashes mid-handler leaves the message to the next one",
  kafkaTestOptions,
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-consumer");
    const admin = await connectAdmin(kafka);
    const [topic, dlq] = await topicWithDlq(admin, "t-crash");
    const groupId = randomName("g-crash");
    try {
      await produce(kafka, topic, [msg(1), msg(2)]);
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./_crash_consumer.ts", import.meta.url).pathname,
          topic,
          groupId,
        ],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      await waitFor(async () => {
        const { value } = await lines.read();
        out += value ?? "";
        return out.includes("handling 0 1");
      }, { timeoutMs: 30_000, what: "the crashing member to take message 0" });
      child.kill("SIGKILL");
      await child.status;
      await lines.cancel();
      assert.equal(
        await committed(admin, groupId, topic),
        "-1",
        "nothing committed before the crash",
      );

      const seen: number[] = [];
      const runner = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        handler: ({ value }) => {
          seen.push(value.n);
          return Promise.resolve();
        },
      });
      try {
        await waitFor(() => seen.length >= 2, {
          timeoutMs: 45_000,
          what: "redelivery to the new member",
        });
      } finally {
        await runner.stop();
      }
      assert.deepEqual(seen, [1, 2]);
      assert.equal(await committed(admin, groupId, topic), "2");
    } finally {
      await deleteTopics(admin, [topic, dlq]);
      await admin.disconnect();
    }
  },
);

Deno.test(
  "ConsumerRunner parks malformed messages and non-retriable failures in <topic>.dlq with the reason and goes on",
  kafkaTestOptions,
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-consumer");
    const admin = await connectAdmin(kafka);
    const [topic, dlq] = await topicWithDlq(admin, "t-dlq");
    const groupId = randomName("g-dlq");
    try {
      await produce(kafka, topic, [
        msg(1),
        "not json {",
        JSON.stringify({ version: 2, n: 2 }),
        msg(3),
        msg(4),
      ]);
      const handled: number[] = [];
      const runner = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        handler: ({ value }) => {
          if (value.n === 3) {
            throw new MessageHandlingError("Cannot notify: no such user", { retriable: false });
          }
          handled.push(value.n);
          return Promise.resolve();
        },
      });
      try {
        await waitFor(() => handled.includes(4), { what: "message 4 after the bad ones" });
        await waitFor(async () => (await committed(admin, groupId, topic)) === "5", {
          what: "commit of 5",
        });
      } finally {
        await runner.stop();
      }
      assert.deepEqual(handled, [1, 4]);

      const parked: { value: DlqValue; headers: Record<string, string> }[] = [];
      const reader = kafka.consumer({ groupId: randomName("g-dlq-read") });
      await reader.connect();
      await reader.subscribe({ topics: [dlq], fromBeginning: true });
      await reader.run({
        eachMessage: ({ message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          );
          parked.push({ value: JSON.parse(message.value!.toString()), headers });
          return Promise.resolve();
        },
      });
      try {
        await waitFor(() => parked.length >= 3, { what: "3 DLQ records" });
      } finally {
        await reader.disconnect();
      }
      assert.deepEqual(parked.map((p) => p.headers[DLQ_HEADERS.offset]), ["1", "2", "3"]);
      assert.ok(parked.every((p) => p.headers[DLQ_HEADERS.topic] === topic));
      assert.ok(parked.every((p) => p.headers[DLQ_HEADERS.partition] === "0"));
      assert.match(parked[0]!.value.reason, /^invalid JSON/);
      assert.equal(parked[0]!.value.original, "not json {");
      assert.match(parked[1]!.value.reason, /^schema validation failed: version/);
      assert.match(parked[2]!.value.reason, /not retriable.*Cannot notify: no such user/);
      assert.deepEqual(parked[2]!.value.source, { topic, partition: 0, offset: "3" });
    } finally {
      await deleteTopics(admin, [topic, dlq]);
      await admin.disconnect();
    }
  },
);

Deno.test(
  "ConsumerRunner retries a failing handler with jittered, capped backoff and never skips the message",
  kafkaTestOptions,
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-consumer");
    const admin = await connectAdmin(kafka);
    const [topic, dlq] = await topicWithDlq(admin, "t-retry");
    const groupId = randomName("g-retry");
    try {
      await produce(kafka, topic, [msg(1), msg(2)]);
      const calls: { n: number; at: number }[] = [];
      const lines: Record<string, unknown>[] = [];
      const runner = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        logger: createLogger("test", { sink: (line) => lines.push(JSON.parse(line)) }),
        retry: { initialMs: 100, maxMs: 300 },
        handler: ({ value }) => {
          calls.push({ n: value.n, at: Date.now() });
          if (value.n === 1 && calls.length <= 4) throw new Error("mail server unavailable");
          return Promise.resolve();
        },
      });
      try {
        await waitFor(() => calls.some((c) => c.n === 2), { what: "message 2" });
        await waitFor(async () => (await committed(admin, groupId, topic)) === "2", {
          what: "commit of 2",
        });
      } finally {
        await runner.stop();
      }
      assert.deepEqual(calls.map((c) => c.n), [1, 1, 1, 1, 1, 2]);
      const retries = lines.filter((l) => l.msg === "handler failed, retrying");
      assert.deepEqual(
        retries.map((l) => [l.attempt, l.offset]),
        [1, 2, 3, 4].map((a) => [a, "0"]),
      );
      // Full jitter: each wait is drawn below 100·2^(n-1) ms, capped at 300 ms, and observed.
      const drawn = retries.map((l) => l.waitMs as number);
      const ceilings = [100, 200, 300, 300];
      drawn.forEach((w, i) => assert.ok(w >= 0 && w <= ceilings[i]!, `drawn ${drawn}`));
      const waits = calls.slice(1, 5).map((c, i) => c.at - calls[i]!.at);
      waits.forEach((w, i) => assert.ok(w >= drawn[i]! - 5, `waited ${waits}, drawn ${drawn}`));
      assert.ok(waits.every((w) => w < 1000), `backoff is capped: ${waits}`);
    } finally {
      await deleteTopics(admin, [topic, dlq]);
      await admin.disconnect();
    }
  },
);

Deno.test(
  "ConsumerRunner.stop() during retries leaves the message uncommitted for the group's next member",
  kafkaTestOptions,
  async () => {
    await ensureKafkaCluster();
    const kafka = testKafka("test-consumer");
    const admin = await connectAdmin(kafka);
    const [topic, dlq] = await topicWithDlq(admin, "t-stop");
    const groupId = randomName("g-stop");
    try {
      await produce(kafka, topic, [msg(1)]);
      let attempts = 0;
      const failing = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        retry: { initialMs: 50 },
        handler: () => {
          attempts++;
          return Promise.reject(new Error("database down"));
        },
      });
      await waitFor(() => attempts >= 2, { what: "2 failed attempts" });
      await failing.stop();
      assert.equal(await committed(admin, groupId, topic), "-1");

      const seen: number[] = [];
      await using _ok = await ConsumerRunner.start({
        kafka,
        groupId,
        topic,
        schema: Schema,
        handler: ({ value }) => {
          seen.push(value.n);
          return Promise.resolve();
        },
      });
      await waitFor(() => seen.length === 1, { what: "redelivery after stop()" });
      assert.deepEqual(seen, [1]);
    } finally {
      await deleteTopics(admin, [topic, dlq]);
      await admin.disconnect();
    }
  },
);
