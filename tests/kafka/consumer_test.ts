import assert from "node:assert/strict";
import { z } from "zod";
import type { Admin, Kafka } from "kafkajs";
import {
  BatchingProducer,
  ConsumerRunner,
  type ConsumerRunnerOptions,
  createLogger,
  DLQ_HEADERS,
  dlqTopicOf,
  type DlqValue,
  MessageHandlingError,
} from "../../core/mod.ts";
import { randomName, waitFor } from "../_kafka.ts";
import { withKafkaTopics } from "../helpers/kafka_topics.ts";

const Schema = z.object({ version: z.literal(1), n: z.number() });
type Value = z.infer<typeof Schema>;
type MemberOptions = Omit<ConsumerRunnerOptions<Value>, "kafka" | "groupId" | "topic" | "schema">;

/** What one test consumes: a 1-partition topic (with its DLQ) and a group of its own. */
interface ConsumerCase {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  groupId: string;
  /** Runs a member of the group on the topic (with `Schema`) until `done` resolves, then stops it. */
  consume(options: MemberOptions, done: () => Promise<unknown>): Promise<void>;
}

/** A test body run with `t-<name>` topics and a `g-<name>` group; the topics are deleted after. */
function consumerCase(name: string, body: (c: ConsumerCase) => Promise<void>): () => Promise<void> {
  return () =>
    withKafkaTopics([{ prefix: `t-${name}`, dlq: true }], ({ kafka, admin, names: [topic] }) => {
      const groupId = randomName(`g-${name}`);
      const member = { kafka, groupId, topic: topic!, schema: Schema };
      return body({
        kafka,
        admin,
        topic: topic!,
        groupId,
        consume: async (options, done) => {
          await using _runner = await ConsumerRunner.start({ ...member, ...options });
          await done();
        },
      });
    }, { clientId: "test-consumer" });
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

/** A handler that records each value's `n` in `seen`. */
const recordInto = (seen: number[]): MemberOptions["handler"] => ({ value }) => {
  seen.push(value.n);
  return Promise.resolve();
};

Deno.test(
  "ConsumerRunner commits only after the handler: a member that crashes mid-handler leaves the message to the next one",
  consumerCase("crash", async ({ kafka, admin, topic, groupId, consume }) => {
    await produce(kafka, topic, [msg(1), msg(2)]);
    {
      await using child = new Deno.Command(Deno.execPath(), {
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
    }
    assert.equal(
      await committed(admin, groupId, topic),
      "-1",
      "nothing committed before the crash",
    );

    const seen: number[] = [];
    await consume(
      { handler: recordInto(seen) },
      () =>
        waitFor(() => seen.length >= 2, {
          timeoutMs: 45_000,
          what: "redelivery to the new member",
        }),
    );
    assert.deepEqual(seen, [1, 2]);
    assert.equal(await committed(admin, groupId, topic), "2");
  }),
);

Deno.test(
  "ConsumerRunner parks malformed messages and non-retriable failures in <topic>.dlq with the reason and goes on",
  consumerCase("dlq", async ({ kafka, admin, topic, groupId, consume }) => {
    await produce(kafka, topic, [
      msg(1),
      "not json {",
      JSON.stringify({ version: 2, n: 2 }),
      msg(3),
      msg(4),
    ]);
    const handled: number[] = [];
    await consume({
      handler: ({ value }) => {
        if (value.n === 3) {
          throw new MessageHandlingError("Cannot notify: no such user", { retriable: false });
        }
        handled.push(value.n);
        return Promise.resolve();
      },
    }, async () => {
      await waitFor(() => handled.includes(4), { what: "message 4 after the bad ones" });
      await waitFor(async () => (await committed(admin, groupId, topic)) === "5", {
        what: "commit of 5",
      });
    });
    assert.deepEqual(handled, [1, 4]);

    const parked: { value: DlqValue; headers: Record<string, string> }[] = [];
    const reader = kafka.consumer({ groupId: randomName("g-dlq-read") });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [dlqTopicOf(topic)], fromBeginning: true });
      await reader.run({
        eachMessage: ({ message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          );
          parked.push({ value: JSON.parse(message.value!.toString()), headers });
          return Promise.resolve();
        },
      });
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
  }),
);

Deno.test(
  "ConsumerRunner retries a failing handler with jittered, capped backoff and never skips the message",
  consumerCase("retry", async ({ kafka, admin, topic, groupId, consume }) => {
    await produce(kafka, topic, [msg(1), msg(2)]);
    const calls: { n: number; at: number }[] = [];
    const lines: Record<string, unknown>[] = [];
    await consume({
      logger: createLogger("test", { sink: (line) => lines.push(JSON.parse(line)) }),
      retry: { initialMs: 100, maxMs: 300 },
      handler: ({ value }) => {
        calls.push({ n: value.n, at: Date.now() });
        if (value.n === 1 && calls.length <= 4) throw new Error("mail server unavailable");
        return Promise.resolve();
      },
    }, async () => {
      await waitFor(() => calls.some((c) => c.n === 2), { what: "message 2" });
      await waitFor(async () => (await committed(admin, groupId, topic)) === "2", {
        what: "commit of 2",
      });
    });
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
  }),
);

Deno.test(
  "ConsumerRunner.stop() during retries leaves the message uncommitted for the group's next member",
  consumerCase("stop", async ({ kafka, admin, topic, groupId, consume }) => {
    await produce(kafka, topic, [msg(1)]);
    let attempts = 0;
    await consume({
      retry: { initialMs: 50 },
      handler: () => {
        attempts++;
        return Promise.reject(new Error("database down"));
      },
    }, () => waitFor(() => attempts >= 2, { what: "2 failed attempts" }));
    assert.equal(await committed(admin, groupId, topic), "-1");

    const seen: number[] = [];
    await consume({ handler: recordInto(seen) }, async () => {
      await waitFor(() => seen.length === 1, { what: "redelivery after stop()" });
      assert.deepEqual(seen, [1]);
    });
  }),
);
