/**
 * Helpers of the Kafka tests: the cluster (scripts/local_kafka.ts starts the local one when no
 * broker answers), a kafkajs client, random topic and group names, polling with a deadline.
 */
import type { Admin, Kafka } from "kafkajs";
import { waitFor as waitForBase, type WaitOptions } from "./helpers/wait.ts";
import { createKafkaClient, createLogger, type Logger, silentLogger } from "../core/mod.ts";
import { clusterScript, ensureLocalKafka, kafkaBrokers } from "../scripts/local_kafka.ts";

export { clusterScript };

/** The brokers the tests use: `KAFKA_BROKERS` or the local cluster's three. */
export const KAFKA_BROKERS: string[] = kafkaBrokers();

/** Log of the tests (kafkajs's lines included): silent unless `TEST_LOG_LEVEL` is set. */
const _level = Deno.env.get("TEST_LOG_LEVEL") as "debug" | "info" | "warn" | "error" | undefined;
export const testLogger: Logger = _level ? createLogger("test", { level: _level }) : silentLogger;

/** A kafkajs client for tests; kafkajs's own errors go to {@linkcode testLogger} at most. */
export function testKafka(clientId = "test"): Kafka {
  return createKafkaClient({
    brokers: KAFKA_BROKERS,
    clientId,
    logger: testLogger,
    logLevel: "error",
  });
}

/** A name unique to this run, e.g. `t-producer-3f9a1c2e`. */
export function randomName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** {@linkcode waitForBase} with the Kafka tests' defaults: 30 s, polling every 250 ms. */
export function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 250, what = "condition" }: WaitOptions = {},
): Promise<NonNullable<T>> {
  return waitForBase(cond, { timeoutMs, intervalMs, what });
}

let _ensured: Promise<boolean> | undefined;

/**
 * Makes sure the cluster on {@linkcode KAFKA_BROKERS} runs; starts the local one when no broker
 * answers. Resolves to whether it started it (then the cluster is stopped when the test process
 * ends, unless `KAFKA_KEEP_CLUSTER=1`).
 */
export function ensureKafkaCluster(): Promise<boolean> {
  _ensured ??= (async () => {
    const kafka = await ensureLocalKafka({ say: () => {} });
    if (kafka.started && Deno.env.get("KAFKA_KEEP_CLUSTER") !== "1") {
      globalThis.addEventListener("unload", () => kafka.stopSync());
    }
    return kafka.started;
  })();
  return _ensured;
}

/** Connects an admin client; the caller disconnects it. */
export async function connectAdmin(kafka: Kafka = testKafka("test-admin")): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

/** Resolves once 3 brokers are registered and every partition of every topic has a full ISR. */
export async function waitHealthy(admin: Admin, timeoutMs = 90_000): Promise<void> {
  await waitFor(async () => {
    const { brokers } = await admin.describeCluster();
    if (brokers.length < 3) return false;
    const { topics } = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
    return topics.every((t) =>
      t.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)
    );
  }, { timeoutMs, intervalMs: 500, what: "a healthy cluster (3 brokers, full ISRs)" });
}

/**
 * Offsets `groupId` committed on `topic`, summed over its partitions: how many messages from
 * the start the group has finished (0 when it committed none).
 */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Deletes `topics`, ignoring errors (cleanup). */
export async function deleteTopics(admin: Admin, topics: string[]): Promise<void> {
  await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => {});
}
