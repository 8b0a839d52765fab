/**
 * One alert cycle measured from outside: the alert system runs as its own process (as
 * deployed); the bench produces one collector `update` to `to-alert-system` and measures from
 * the produce call until the LAST alert of the cycle is readable on `to-notifier`: a consumer in
 * the bench process (its own group, long-polling fetches) has received it. An earlier version
 * polled the partitions' high watermarks without pause; those ListOffsets requests loaded the
 * very brokers being measured and made a cycle look 30–40 % slower.
 *
 * Each size seeds its users in a fresh database: `users` subscriptions over `users / 10`
 * tickers, the first `alerts` of them with HIGH 120 (crossed at 150), the others with HIGH 200
 * and LOW 50 (never crossed). Every measured cycle prices all tickers at 150 (the 120s fire,
 * edge mode); a cycle at 100 in between re-arms them (not measured). One warm-up cycle, then the
 * median of `cycles` measured ones.
 *
 * Usage: deno run -A scripts/bench_cycle.ts [--partitions 3,12,24,30] [--cycles 5]
 *   [--sizes 1000:100,10000:1000]
 * Prints a markdown table. Figures on a loaded machine are indicative only.
 */
import mysql from "mysql2/promise";
import type { Kafka } from "kafkajs";
import {
  BatchingProducer,
  createKafkaClient,
  dlqTopicOf,
  MESSAGE_VERSION,
  MysqlDatabase,
  type PriceUpdate,
  silentLogger,
} from "../core/mod.ts";
import { ensureTopics } from "../core/kafka/topic_admin.ts";
import { DEFAULT_KAFKA_BROKERS } from "../core/config/common_config.ts";
import { DEFAULT_TO_NOTIFIER_PARTITIONS } from "../core/services/kafka_admin_config.ts";
import { migrate } from "../core/mysql/migrations.ts";
import { ServiceProcess } from "./service_process.ts";
import { cpuSnapshot, cpuSpent, describeCpu } from "./cpu_account.ts";

const BROKERS = (Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS).split(",");
const SERVER = Deno.env.get("TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306";

/** What to measure. */
export interface CycleBenchOptions {
  /** Subscriptions seeded; default 1,000. */
  users?: number;
  /** Of those, how many each measured cycle alerts; default 100. */
  alerts?: number;
  /** Partitions of the `to-notifier` topic; default the kafka-admin default. */
  partitions?: number;
  /** Measured cycles after the warm-up; default 5. */
  cycles?: number;
}

/** The figures of one size and partition count. */
export interface CycleBenchResult {
  users: number;
  alerts: number;
  partitions: number;
  /** Each measured cycle, update produced → last alert readable, in ms. */
  cycleMs: number[];
  /** Median of `cycleMs`. */
  medianMs: number;
  /** The alert system's own "update evaluated" time (evaluate + publish + store), median, ms. */
  alertSystemMs: number;
  /** Its parts, medians in ms: the threshold query, publishing until acked, storing state. */
  evaluateMs: number;
  publishMs: number;
  storeMs: number;
  /** CPU seconds per process group, summed over the measured cycles (not the re-arm ones). */
  cpu: [string, number][];
  /** Wall seconds of the measured cycles, summed (what `cpu` was spent in). */
  cpuWallS: number;
}

/** Runs the cycle benchmark for one size and one partition count. */
export async function benchCycle(options: CycleBenchOptions = {}): Promise<CycleBenchResult> {
  const users = options.users ?? 1_000;
  const alerts = options.alerts ?? 100;
  const partitions = options.partitions ?? DEFAULT_TO_NOTIFIER_PARTITIONS;
  const cycles = options.cycles ?? 5;
  const tickers = Math.max(1, Math.ceil(users / 10));
  const id = crypto.randomUUID().slice(0, 8);
  const dbName = `tw_bench_cycle_${id}`;
  const url = `${SERVER}/${dbName}`;
  const toAlert = `bench-${id}.to-alert-system`;
  const toNotifier = `bench-${id}.to-notifier`;
  const topics = [toAlert, dlqTopicOf(toAlert), toNotifier, dlqTopicOf(toNotifier)];
  const kafka = createKafkaClient({
    brokers: BROKERS,
    clientId: "bench-cycle",
    logger: silentLogger,
    logLevel: "error",
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: toAlert, partitions: 1 },
    { topic: dlqTopicOf(toAlert), partitions: 1 },
    { topic: toNotifier, partitions },
    { topic: dlqTopicOf(toNotifier), partitions },
  ]);
  const db = await MysqlDatabase.connect({ url });
  await migrate(db);
  const conn = await mysql.createConnection({ uri: url });
  let alertSystem: ServiceProcess | undefined;
  let producer: BatchingProducer | undefined;
  let stopReader: (() => Promise<void>) | undefined;
  try {
    const now = new Date();
    const ticker = (i: number) => `T${String(i % tickers).padStart(5, "0")}`;
    const rows = Array.from({ length: users }, (_, i) => [
      `user${i}@bench.example`,
      ticker(i),
      i < alerts ? 120 : 200,
      i < alerts ? null : 50,
      now,
      now,
    ]);
    for (let i = 0; i < rows.length; i += 5_000) {
      await conn.query(
        "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
        [rows.slice(i, i + 5_000)],
      );
    }
    alertSystem = new ServiceProcess("alert_system", {
      MYSQL_URL: url,
      KAFKA_BROKERS: BROKERS.join(","),
      TOPIC_TO_ALERT_SYSTEM: toAlert,
      TOPIC_TO_NOTIFIER: toNotifier,
      ALERT_SYSTEM_GROUP: `bench-${id}-a`,
      METRICS_ADDR: "off",
      LOG_LEVEL: "info",
    });
    await alertSystem.waitForLine(/alert system consuming/, 60_000);
    const reader = await _startReader(kafka, toNotifier, `bench-${id}-reader`);
    stopReader = () => reader.stop();
    producer = await BatchingProducer.connect({ kafka, logger: silentLogger, lingerMs: 0 });

    const update = (cycleId: string, price: number): PriceUpdate => ({
      version: MESSAGE_VERSION,
      cycle_id: cycleId,
      collected_at: new Date().toISOString(),
      quotes: Array.from({ length: tickers }, (_, i) => ({
        ticker: ticker(i),
        price,
        at: new Date().toISOString(),
      })),
    });
    const evaluated = async (cycleId: string) =>
      JSON.parse(
        await alertSystem!.waitForLine(new RegExp(`"cycleId":"${cycleId}"`), 120_000),
      ) as {
        alerts: number;
        millis: number;
        evaluateMillis: number;
        publishMillis: number;
        storeMillis: number;
      };

    const named = new Map([[alertSystem.child.pid, "alert system"], [Deno.pid, "benchmark"]]);
    const cpu = new Map<string, number>();
    let cpuWallS = 0;
    const cycleMs: number[] = [];
    const ownMs: number[] = [];
    const parts: { evaluate: number[]; publish: number[]; store: number[] } = {
      evaluate: [],
      publish: [],
      store: [],
    };
    for (let c = 0; c <= cycles; c++) {
      // Re-arm (not measured; also lets the consumer's group settle before the first cycle).
      const rearm = `bench-${id}-rearm-${c}`;
      await producer.send(toAlert, { key: "update", value: JSON.stringify(update(rearm, 100)) });
      await evaluated(rearm);

      const cycleId = `bench-${id}-fire-${c}`;
      const message = JSON.stringify(update(cycleId, 150));
      const received = reader.reach(reader.count + alerts);
      const cpu0 = cpuSnapshot(named);
      const t0 = performance.now();
      const sent = producer.send(toAlert, { key: "update", value: message });
      const ms = (await received) - t0;
      const spent = cpuSpent(cpu0, cpuSnapshot(named));
      await sent;
      const report = await evaluated(cycleId);
      if (report.alerts !== alerts) {
        throw new Error(`cycle ${cycleId} published ${report.alerts} alerts, not ${alerts}`);
      }
      if (c > 0) { // c = 0 is the warm-up
        cycleMs.push(ms);
        cpuWallS += ms / 1000;
        for (const [group, seconds] of spent) cpu.set(group, (cpu.get(group) ?? 0) + seconds);
        ownMs.push(report.millis);
        parts.evaluate.push(report.evaluateMillis);
        parts.publish.push(report.publishMillis);
        parts.store.push(report.storeMillis);
      }
    }
    return {
      users,
      alerts,
      partitions,
      cycleMs,
      medianMs: _median(cycleMs),
      alertSystemMs: _median(ownMs),
      evaluateMs: _median(parts.evaluate),
      publishMs: _median(parts.publish),
      storeMs: _median(parts.store),
      cpu: [...cpu].sort((a, b) => b[1] - a[1]),
      cpuWallS,
    };
  } finally {
    await stopReader?.();
    await producer?.close();
    await alertSystem?.stop();
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => {});
    await conn.end();
    await db.close();
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
}

/**
 * A consumer of `topic` from its end: `count` is the records received so far, `reach(n)`
 * resolves with `performance.now()` when the n-th arrives. Resolves once it has its partitions.
 */
async function _startReader(kafka: Kafka, topic: string, groupId: string) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, minBytes: 1 });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve())
  );
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  let count = 0;
  let waiter: { n: number; resolve: (at: number) => void } | undefined;
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: ({ batch }) => {
      count += batch.messages.length;
      if (waiter && count >= waiter.n) {
        waiter.resolve(performance.now());
        waiter = undefined;
      }
      return Promise.resolve();
    },
  });
  await joined;
  return {
    get count() {
      return count;
    },
    reach(n: number): Promise<number> {
      const { promise, resolve } = Promise.withResolvers<number>();
      waiter = { n, resolve };
      return promise;
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}

function _median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A markdown table of results. */
export function cycleTable(results: readonly CycleBenchResult[]): string {
  const goal = (r: CycleBenchResult) => {
    const ms = _GOALS_MS.get(`${r.users}:${r.alerts}`);
    return ms === undefined ? "—" : `≤ ${ms} ms: ${r.medianMs <= ms ? "met" : "missed"}`;
  };
  return [
    "| cycle | to-notifier partitions | update produced → last alert readable (median) | goal | cycles (ms) | alert system: evaluate + publish + store (medians) |",
    "|---|---:|---:|---|---|---:|",
    ...results.map((r) =>
      `| ${r.users.toLocaleString("en")} users, ${
        r.alerts.toLocaleString("en")
      } alerts | ${r.partitions} | ${Math.round(r.medianMs)} ms | ${goal(r)} | ${
        r.cycleMs.map((m) => Math.round(m)).join(", ")
      } | ${Math.round(r.alertSystemMs)} ms = ${Math.round(r.evaluateMs)} + ${
        Math.round(r.publishMs)
      } + ${Math.round(r.storeMs)} |`
    ),
  ].join("\n");
}

/** The goals per size (users:alerts), in ms. */
const _GOALS_MS = new Map([["1000:100", 60], ["10000:1000", 250]]);

/** Where the CPU of the measured cycles went, one line per row, for the text under the table. */
export function cycleCpu(results: readonly CycleBenchResult[]): string {
  return results.map((r) =>
    `- ${r.users.toLocaleString("en")} users, ${
      r.alerts.toLocaleString("en")
    } alerts, ${r.partitions} partitions: ${describeCpu(r.cpu, r.cpuWallS)}.`
  ).join("\n");
}

function _arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/**
 * Runs every size with every partition count of the command line (default: 1,000/100 and
 * 10,000/1,000 users/alerts with the default partition count) and prints the table.
 */
export async function main(): Promise<void> {
  const partitions = (_arg("partitions") ?? String(DEFAULT_TO_NOTIFIER_PARTITIONS))
    .split(",").map(Number);
  const sizes = (_arg("sizes") ?? "1000:100,10000:1000").split(",").map((s) => {
    const [users, alerts] = s.split(":").map(Number);
    return { users: users!, alerts: alerts! };
  });
  const cycles = Number(_arg("cycles") ?? 5);
  const results: CycleBenchResult[] = [];
  for (const size of sizes) {
    for (const p of partitions) {
      results.push(await benchCycle({ ...size, partitions: p, cycles }));
      console.error(cycleTable(results.slice(-1)).split("\n").at(-1));
    }
  }
  console.log(cycleTable(results));
  console.log(`\n${cycleCpu(results)}`);
}

if (import.meta.main) await main();
