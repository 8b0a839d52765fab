/**
 * End-to-end benchmark: 10,000 breached thresholds → 10,000 e-mails accepted by SMTP.
 *
 * Seeds 10,000 subscriptions (two per ticker over 5,000 tickers) whose HIGH threshold the next
 * cycle crosses, starts the alert system and the notifier as their own processes (as deployed),
 * publishes one collector `update` with the 5,000 quotes, and measures until the SMTP server
 * (in this process) accepted the 10,000th mail. Usage: deno run -A scripts/bench_pipeline.ts [n]
 */
import mysql from "mysql2/promise";
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
import { migrate } from "../core/mysql/migrations.ts";
import { DEFAULT_TO_NOTIFIER_PARTITIONS } from "../core/services/kafka_admin_config.ts";
import { ServiceProcess } from "./service_process.ts";
import { cpuSnapshot, cpuSpent, describeCpu } from "./cpu_account.ts";
import { SmtpCatcher } from "./smtp_catcher.ts";

const ALERTS = Number(Deno.args[0] ?? 10_000);
const TICKERS = 5_000;
const BROKERS = (Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS)
  .split(",");
const SERVER = Deno.env.get("TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306";

export interface PipelineResult {
  alerts: number;
  mails: number;
  totalSeconds: number;
  evaluationMs: number;
  firstMailSeconds: number;
  /** CPU seconds per process group from the update produced to the last mail accepted. */
  cpu: [string, number][];
}

export async function benchPipeline(n = ALERTS): Promise<PipelineResult> {
  const id = crypto.randomUUID().slice(0, 8);
  const dbName = `tw_bench_e2e_${id}`;
  const url = `${SERVER}/${dbName}`;
  const toAlert = `bench-${id}.to-alert-system`;
  const toNotifier = `bench-${id}.to-notifier`;
  const kafka = createKafkaClient({
    brokers: BROKERS,
    clientId: "bench",
    logger: silentLogger,
    logLevel: "error",
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: toAlert, partitions: 1 },
    { topic: dlqTopicOf(toAlert), partitions: 1 },
    { topic: toNotifier, partitions: DEFAULT_TO_NOTIFIER_PARTITIONS },
    { topic: dlqTopicOf(toNotifier), partitions: DEFAULT_TO_NOTIFIER_PARTITIONS },
  ]);
  const db = await MysqlDatabase.connect({ url });
  await migrate(db);
  const conn = await mysql.createConnection({ uri: url });
  const children: ServiceProcess[] = [];
  let catcher: SmtpCatcher | undefined;
  try {
    const now = new Date();
    const rows = Array.from({ length: n }, (_, i) => [
      `user${i}@bench.example`,
      `T${String(i % TICKERS).padStart(4, "0")}`,
      100 + (i % 40),
      null,
      now,
      now,
    ]);
    for (let i = 0; i < rows.length; i += 5_000) {
      await conn.query(
        "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
        [rows.slice(i, i + 5_000)],
      );
    }
    let firstMail = 0;
    let lastMail = 0;
    const allMailed = Promise.withResolvers<void>();
    catcher = await SmtpCatcher.start({
      onMail: () => {
        const c = catcher!.messages.length;
        if (c === 1) firstMail = performance.now();
        if (c >= n) {
          lastMail = performance.now();
          allMailed.resolve();
        }
      },
    });
    const common = {
      MYSQL_URL: url,
      KAFKA_BROKERS: BROKERS.join(","),
      TOPIC_TO_ALERT_SYSTEM: toAlert,
      TOPIC_TO_NOTIFIER: toNotifier,
      METRICS_ADDR: "off",
      LOG_LEVEL: "info",
    };
    const alertSystem = new ServiceProcess("alert_system", {
      ...common,
      ALERT_SYSTEM_GROUP: `bench-${id}-a`,
    });
    const notifier = new ServiceProcess("notifier", {
      ...common,
      SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
      NOTIFIER_GROUP: `bench-${id}-n`,
      LOG_LEVEL: "warn",
    });
    children.push(alertSystem, notifier);
    await alertSystem.waitForLine(/alert system consuming/, 60_000);
    // The notifier logs "notifier started" at info; at warn it says nothing, so wait for its group.
    await new Promise((r) => setTimeout(r, 3_000));

    const producer = await BatchingProducer.connect({ kafka, logger: silentLogger });
    const update: PriceUpdate = {
      version: MESSAGE_VERSION,
      cycle_id: `bench-${id}`,
      collected_at: new Date().toISOString(),
      quotes: Array.from({ length: TICKERS }, (_, i) => ({
        ticker: `T${String(i).padStart(4, "0")}`,
        price: 150,
        at: new Date().toISOString(),
      })),
    };
    const named = new Map([
      [alertSystem.child.pid, "alert system"],
      [notifier.child.pid, "notifier"],
      [Deno.pid, "benchmark (SMTP server)"],
    ]);
    const cpu0 = cpuSnapshot(named);
    const t0 = performance.now();
    await producer.send(toAlert, { key: "update", value: JSON.stringify(update) });
    await producer.close();
    const evaluated = JSON.parse(await alertSystem.waitForLine(/update evaluated/, 120_000));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      allMailed.promise,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${catcher!.messages.length} of ${n} mails in 180 s`)),
          180_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const cpu = cpuSpent(cpu0, cpuSnapshot(named));
    return {
      cpu,
      alerts: Number(evaluated.alerts),
      mails: catcher.messages.length,
      totalSeconds: (lastMail - t0) / 1000,
      evaluationMs: Number(evaluated.millis),
      firstMailSeconds: (firstMail - t0) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await catcher?.stop();
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => {});
    await conn.end();
    await db.close();
    await admin.deleteTopics({
      topics: [toAlert, dlqTopicOf(toAlert), toNotifier, dlqTopicOf(toNotifier)],
    }).catch(() => {});
    await admin.disconnect();
  }
}

export function pipelineTable(r: PipelineResult): string {
  return [
    "| breached thresholds | alerts published | mails accepted | alert system (evaluate + publish all) | first mail | total | goal | emails/s |",
    "|---:|---:|---:|---:|---:|---:|---|---:|",
    `| ${r.alerts.toLocaleString("en")} | ${r.alerts.toLocaleString("en")} | ${
      r.mails.toLocaleString("en")
    } | ${(r.evaluationMs / 1000).toFixed(1)} s | ${r.firstMailSeconds.toFixed(1)} s | ${
      r.totalSeconds.toFixed(1)
    } s | ≤ 6 s: ${r.totalSeconds <= 6 ? "met" : "missed"} | ${
      (r.mails / r.totalSeconds).toFixed(0)
    } |`,
  ].join("\n");
}

/** Where the CPU of the run went, for the text under the table. */
export function pipelineCpu(r: PipelineResult): string {
  return `CPU from the update produced to the last mail accepted: ${
    describeCpu(r.cpu, r.totalSeconds)
  }.`;
}

if (import.meta.main) {
  const result = await benchPipeline();
  console.log(pipelineTable(result));
  console.log(`\n${pipelineCpu(result)}`);
}
