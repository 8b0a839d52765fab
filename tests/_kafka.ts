/**
 * Helpers of the Kafka tests: the local cluster (started through scripts/kafka_cluster.sh when
 * no broker answers), random topic and group names, polling with a deadline.
 */
import type { Admin, Kafka } from "kafkajs";
import { waitFor as waitForBase } from "./helpers/wait.ts";
import {
  createKafkaClient,
  createLogger,
  DEFAULT_KAFKA_BROKERS,
  type Logger,
  silentLogger,
} from "../core/mod.ts";

/** The brokers the tests use: `KAFKA_BROKERS` or the local cluster's three. */
export const KAFKA_BROKERS = (Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS)
  .split(",").map((s) => s.trim()).filter((s) => s !== "");

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT = `${ROOT}scripts/kafka_cluster.sh`;

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
  { timeoutMs = 30_000, intervalMs = 250, what = "condition" } = {},
): Promise<NonNullable<T>> {
  return waitForBase(cond, { timeoutMs, intervalMs, what });
}

/** Runs scripts/kafka_cluster.sh with `args`; throws with its output when it fails. */
export async function clusterScript(...args: string[]): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`kafka_cluster.sh ${args.join(" ")} failed:\n${text}`);
  return text;
}

async function _answers(): Promise<boolean> {
  const admin = createKafkaClient({
    brokers: KAFKA_BROKERS,
    clientId: "probe",
    logger: testLogger,
    logLevel: "error",
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 3000,
  }).admin({ retry: { retries: 1 } });
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.length >= 3;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

let _ensured: Promise<boolean> | undefined;

/**
 * Makes sure a 3-broker cluster answers on {@linkcode KAFKA_BROKERS}; starts the local one
 * with scripts/kafka_cluster.sh when none does. Resolves to whether it started it (then the
 * cluster is stopped when the test process ends, unless `KAFKA_KEEP_CLUSTER=1`).
 */
export function ensureKafkaCluster(): Promise<boolean> {
  _ensured ??= (async () => {
    if (await _answers()) return false;
    await clusterScript("start");
    if (Deno.env.get("KAFKA_KEEP_CLUSTER") !== "1") {
      globalThis.addEventListener("unload", () => {
        new Deno.Command("bash", { args: [SCRIPT, "stop"], stdout: "null", stderr: "null" })
          .outputSync();
      });
    }
    return true;
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

/** Deletes `topics`, ignoring errors (cleanup). */
export async function deleteTopics(admin: Admin, topics: string[]): Promise<void> {
  await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => {});
}

/** Options for Deno.test of tests against real Kafka (kafkajs keeps sockets and timers). */
export const kafkaTestOptions = { sanitizeOps: false, sanitizeResources: false } as const;
