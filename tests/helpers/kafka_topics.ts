/**
 * `withKafkaTopics`: topics with random names on the real cluster, created with replication
 * factor 3 (and their `.dlq` topic when asked) and deleted when the test ends.
 */
import type { Admin, Kafka, KafkaMessage } from "kafkajs";
import { dlqTopicOf, recordBytes, type TopicSpec } from "../../core/mod.ts";
import { ensureTopics } from "../../core/kafka/topic_admin.ts";
import {
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  randomName,
  testKafka,
  waitFor,
} from "../_kafka.ts";

/** One topic to create: its name is `<prefix>-<random>`. */
export interface TopicRequest {
  /** Start of the name, e.g. "t-notify". */
  prefix: string;
  /** Partitions; default 1. */
  partitions?: number;
  /** `min.insync.replicas`; default 2. */
  minInsyncReplicas?: number;
  /** Also create `<name>.dlq` with as many partitions. Default false. */
  dlq?: boolean;
}

/** The topics of one test, the client and the admin that made them. */
export interface KafkaTopics extends AsyncDisposable {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** The names, in the order requested (DLQs not included). */
  readonly names: string[];
}

/**
 * Creates the requested topics (RF 3) once the cluster runs; disposing deletes them and
 * disconnects the admin.
 */
export async function kafkaTopics(
  requests: readonly TopicRequest[],
  { clientId = "test" }: { clientId?: string } = {},
): Promise<KafkaTopics> {
  await ensureKafkaCluster();
  const kafka = testKafka(clientId);
  const admin = await connectAdmin(kafka);
  const names = requests.map((r) => randomName(r.prefix));
  const specs: TopicSpec[] = requests.flatMap((r, i) => {
    const spec: TopicSpec = {
      topic: names[i]!,
      partitions: r.partitions ?? 1,
      replicationFactor: 3,
      ...(r.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: r.minInsyncReplicas }),
    };
    return r.dlq ? [spec, { ...spec, topic: dlqTopicOf(spec.topic) }] : [spec];
  });
  const dispose = async () => {
    await deleteTopics(admin, specs.map((s) => s.topic));
    await admin.disconnect();
  };
  try {
    await ensureTopics(admin, specs);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { kafka, admin, names, [Symbol.asyncDispose]: dispose };
}

/**
 * Runs `body` with freshly created topics and deletes them afterwards, whatever happens.
 *
 * @example
 * ```ts
 * await withKafkaTopics([{ prefix: "t-notify", dlq: true }], async ({ kafka, names: [topic] }) => {
 *   // produce to and consume from `topic`
 * });
 * ```
 */
export async function withKafkaTopics<T>(
  requests: readonly TopicRequest[],
  body: (topics: KafkaTopics) => Promise<T>,
  options: { clientId?: string } = {},
): Promise<T> {
  await using topics = await kafkaTopics(requests, options);
  return await body(topics);
}

/** Reads every record of `topic` (all partitions) from the beginning. */
export async function readAll(kafka: Kafka, topic: string, expected: number): Promise<
  { partition: number; message: KafkaMessage }[]
> {
  const consumer = kafka.consumer({ groupId: randomName("g-read") });
  const got: { partition: number; message: KafkaMessage }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        got.push({ partition, message });
        return Promise.resolve();
      },
    });
    await waitFor(() => got.length >= expected, { timeoutMs: 30_000, what: `${expected} records` });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/**
 * The bytes (as {@linkcode recordBytes} counts them) of each record batch the broker stored, by
 * `partition/firstOffset`, from records read with {@linkcode readAll}.
 */
export function storedBatchBytes(
  stored: { partition: number; message: KafkaMessage }[],
): Map<string, number> {
  const perBatch = new Map<string, number>();
  for (const { partition, message } of stored) {
    const { firstOffset } =
      (message as unknown as { batchContext: { firstOffset: string } }).batchContext;
    const id = `${partition}/${firstOffset}`;
    const bytes = recordBytes({ key: message.key, value: message.value ?? new Uint8Array() });
    perBatch.set(id, (perBatch.get(id) ?? 0) + bytes);
  }
  return perBatch;
}
