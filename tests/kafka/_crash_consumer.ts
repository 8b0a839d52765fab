/**
 * A consumer group member that takes a message and never finishes it; consumer_test.ts
 * SIGKILLs this process to simulate a crash before the commit.
 * Usage: deno run -A _crash_consumer.ts <topic> <groupId>
 */
import { z } from "zod";
import { ConsumerRunner } from "../../core/mod.ts";
import { testKafka } from "../_kafka.ts";

const [topic, groupId] = Deno.args;
if (!topic || !groupId) throw new Error("usage: _crash_consumer.ts <topic> <groupId>");
await ConsumerRunner.start({
  kafka: testKafka("crash-consumer"),
  groupId,
  topic,
  schema: z.object({ version: z.literal(1), n: z.number() }),
  sessionTimeoutMs: 6000,
  handler: ({ offset, value }) => {
    console.log(`handling ${offset} ${value.n}`);
    return new Promise(() => {}); // never done: the crash comes first
  },
});
