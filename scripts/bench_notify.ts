/**
 * Notifier benchmark: N alerts already on a fresh to-notifier topic → N mails accepted by a local
 * SMTP sink, with two references measured in the same run against the same sink:
 *
 *   (a) the notifier as deployed: `executables/notifier.ts` as its own process (ServiceProcess),
 *       default settings but the topic, group, database and SMTP URL;
 *   (b) the sink's own ceiling: a pooled sender (SmtpMailer, the notifier's pool size) doing
 *       nothing but sending N prepared alert mails, as its own process;
 *   (c) the seed-style baseline: a kafkajs consumer that, like the original Python notifier,
 *       opens one SMTP connection per mail and commits each offset synchronously after it, as its
 *       own process.
 *
 * The SMTP sink (scripts/smtp_catcher.ts) runs in this process and timestamps every accepted
 * mail, so all three rows are timed by the same clock: from the first mail accepted to the Nth.
 * Row (a) also gives the time from the consumer's group join (its "consumer joined" log line) to
 * the Nth mail. Each run uses its own database, topics and group, removed at the end.
 *
 * Usage: deno run -A scripts/bench_notify.ts [alerts=2000] [partitions=to-notifier's default, 30]
 *        deno run -A scripts/bench_notify.ts --sweep 10x32,16x32   (SMTP_POOL_SIZE x NOTIFIER_CONCURRENCY)
 *        deno run -A scripts/bench_notify.ts --profile DIR [alerts]  (row a under --cpu-prof)
 * (the internal modes `--ceiling` and `--seed` are the child processes of rows (b) and (c)).
 */
import { cpuUsage } from "node:process";
import { createTransport } from "nodemailer";
import type { Admin } from "kafkajs";
import mysql from "mysql2/promise";
import {
  alertFromMessage,
  alertMail,
  type AlertMessage,
  BatchingProducer,
  createKafkaClient,
  dlqTopicOf,
  MysqlDatabase,
  silentLogger,
  SmtpMailer,
} from "../core/mod.ts";
import { DEFAULT_KAFKA_BROKERS } from "../core/config/common_config.ts";
import { migrate } from "../core/mysql/migrations.ts";
import { DEFAULT_TO_NOTIFIER_PARTITIONS } from "../core/services/kafka_admin_config.ts";
import { ServiceProcess } from "./service_process.ts";
import { SmtpCatcher } from "./smtp_catcher.ts";

const BROKERS = (Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS).split(",");
const SERVER = Deno.env.get("TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306";

/** Options of {@linkcode benchNotify}. */
export interface NotifyBenchOptions {
  /** Alerts (and mails) per row; default 2000. */
  alerts?: number;
  /** Partitions of the bench's to-notifier topic; default to-notifier's (kafka-admin's). */
  partitions?: number;
  /** Extra environment of the notifier (row a), e.g. `{ SMTP_POOL_SIZE: "8" }`. */
  notifierEnv?: Record<string, string>;
  /** Pool of the ceiling sender (row b); default the notifier's SMTP_POOL_SIZE or 10. */
  ceilingPool?: number;
  /**
   * Profile row (a): the notifier runs with `--cpu-prof-dir=<profileDir> --cpu-prof-md` and writes
   * its V8 CPU profile (and a markdown summary: hot functions by self time) there when it exits.
   */
  profileDir?: string;
  /** Extra `deno run` flags of the notifier (row a), e.g. `["--v8-flags=--max-semi-space-size=16"]`. */
  notifierDenoFlags?: string[];
  /**
   * Mails the seed-style baseline (row c) sends before it is stopped; its time for all alerts
   * is projected from its rate. Default 200 (at ~110 ms a mail, all 2,000 would take ~4 min); 0
   * leaves the row out, e.g. when sweeping settings.
   */
  seedMails?: number;
}

/** One measured row. */
export interface NotifyBenchRow {
  /** What ran. */
  what: string;
  /** Mails the sink accepted. */
  mails: number;
  /** First accepted mail → Nth accepted mail, in seconds. */
  firstToLastS: number;
  /** Group join → Nth mail (row a only), in seconds. */
  joinToLastS?: number;
  /** CPU seconds of the sending process from its first to its last mail, when known (Linux). */
  cpuS?: number;
}

/** What {@linkcode benchNotify} measured. */
export interface NotifyBenchResult {
  alerts: number;
  partitions: number;
  notifier: NotifyBenchRow;
  ceiling: NotifyBenchRow;
  seed: NotifyBenchRow | undefined;
  /** CPU seconds of this process (the sink) during row (a). */
  sinkCpuS: number;
}

/** The alerts of a run: one recipient each (nothing is held back by the cap or the cache). */
export function benchAlerts(n: number, runId: string): AlertMessage[] {
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    version: 1,
    alert_id: `bench${runId}n${i}`,
    email: `user${i}@bench.example`,
    ticker: `T${String(i % 5000).padStart(4, "0")}`,
    threshold_value: 100 + (i % 40),
    threshold_type: "HIGH",
    value_ticker: 150,
    timestamp: at,
  }));
}

/**
 * Runs rows (a), (b) and (c) (see the module doc) on the local cluster, MariaDB and an SMTP sink
 * in this process.
 */
export async function benchNotify(options: NotifyBenchOptions = {}): Promise<NotifyBenchResult> {
  const n = options.alerts ?? 2000;
  const partitions = options.partitions ?? DEFAULT_TO_NOTIFIER_PARTITIONS;
  const pool = Number(options.notifierEnv?.SMTP_POOL_SIZE ?? 10);
  const run = await prepareNotifyRun(n, partitions);
  try {
    const notifier = await _notifierRow(
      run,
      options.notifierEnv ?? {},
      [
        ...(options.notifierDenoFlags ?? []),
        ...(options.profileDir === undefined
          ? []
          : [`--cpu-prof-dir=${options.profileDir}`, "--cpu-prof-md"]),
      ],
    );
    const ceiling = await _childRow(
      run,
      `(b) sink ceiling: pooled sender, ${options.ceilingPool ?? pool} connections`,
      ["--ceiling", String(run.catcher.port), String(n), String(options.ceilingPool ?? pool)],
    );
    const seedMails = Math.min(options.seedMails ?? 200, n);
    const seed = seedMails === 0 ? undefined : await _childRow(
      run,
      "(c) seed-style: one SMTP connection per mail, a commit per message",
      ["--seed", run.topicOf("seed"), `bench-${run.id}-seed`, String(run.catcher.port)],
      seedMails,
    );
    return {
      alerts: n,
      partitions,
      notifier: notifier.row,
      ceiling,
      seed,
      sinkCpuS: notifier.sinkCpuS,
    };
  } finally {
    await run.close();
  }
}

/** A prepared run: database, topics holding the alerts, the SMTP sink (see {@linkcode prepareNotifyRun}). */
export interface NotifyRun {
  id: string;
  n: number;
  url: string;
  catcher: SmtpCatcher;
  /** Timestamps (performance.now) of the accepted mails since the last reset. */
  stamps: number[];
  topicOf(row: "notifier" | "seed"): string;
  close(): Promise<void>;
}

/**
 * Creates a run's database (migrated), its two topics of `partitions` (with DLQs) each holding
 * the same `n` alerts, and the SMTP sink in this process; `close` removes them.
 */
export async function prepareNotifyRun(n: number, partitions: number): Promise<NotifyRun> {
  const id = crypto.randomUUID().slice(0, 8);
  const dbName = `tw_bench_notify_${id}`;
  const url = `${SERVER}/${dbName}`;
  const kafka = createKafkaClient({
    brokers: BROKERS,
    clientId: "bench-notify",
    logger: silentLogger,
    logLevel: "error",
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = [`bench-${id}.to-notifier`, `bench-${id}.seed`];
  const all = topics.flatMap((t) => [t, dlqTopicOf(t)]);
  const db = await MysqlDatabase.connect({ url });
  const stamps: number[] = [];
  let catcher: SmtpCatcher | undefined;
  const close = async () => {
    await catcher?.stop();
    await db.close();
    const conn = await mysql.createConnection({ uri: SERVER });
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => {});
    await conn.end();
    await admin.deleteTopics({ topics: all }).catch(() => {});
    await admin.disconnect();
  };
  try {
    await migrate(db);
    await admin.createTopics({
      waitForLeaders: false,
      topics: all.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: 3,
        configEntries: [{ name: "min.insync.replicas", value: "2" }],
      })),
    });
    await _waitForLeaders(admin, all);
    const alerts = benchAlerts(n, id);
    {
      await using producer = await BatchingProducer.connect({
        kafka,
        logger: silentLogger,
        maxBatchBytes: 64_000,
      });
      for (const topic of topics) {
        await Promise.all(
          alerts.map((a) => producer.send(topic, { key: a.email, value: JSON.stringify(a) })),
        );
      }
    }
    catcher = await SmtpCatcher.start({ onMail: () => stamps.push(performance.now()) });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    id,
    n,
    url,
    catcher,
    stamps,
    topicOf: (row) => topics[row === "notifier" ? 0 : 1]!,
    close,
  };
}

/** Polls the topics' metadata (errors included: a broker may not know them yet) until every
 * partition has a leader; 60 s at most. */
async function _waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (
        meta.length === topics.length && meta.every((t) => t.partitions.every((p) => p.leader >= 0))
      ) {
        return;
      }
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    if (performance.now() > deadline) throw new Error(`no leaders for ${topics} within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits for `run.n` mails from `sender`; returns the sender's CPU seconds from about its first
 * accepted mail (polled every 2 ms) to the last one.
 */
async function _waitForMails(
  run: NotifyRun,
  sender: ServiceProcess,
  timeoutMs: number,
  mails = run.n,
): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  let gone = false;
  sender.exited.then(() => gone = true);
  let atFirst: number | undefined;
  while (run.stamps.length < mails) {
    if (performance.now() > deadline) {
      throw new Error(`only ${run.stamps.length} of ${mails} mails within ${timeoutMs} ms`);
    }
    if (gone) throw new Error(`the sender exited after ${run.stamps.length} of ${mails} mails`);
    if (atFirst === undefined && run.stamps.length > 0) atFirst = _cpuSeconds(sender.child.pid);
    await new Promise((r) => setTimeout(r, 2));
  }
  const atLast = _cpuSeconds(sender.child.pid);
  return atFirst !== undefined && atLast !== undefined ? atLast - atFirst : undefined;
}

async function _notifierRow(
  run: NotifyRun,
  extraEnv: Record<string, string>,
  denoFlags: string[],
): Promise<{ row: NotifyBenchRow; sinkCpuS: number }> {
  run.stamps.length = 0;
  const env = {
    MYSQL_URL: run.url,
    KAFKA_BROKERS: BROKERS.join(","),
    TOPIC_TO_NOTIFIER: run.topicOf("notifier"),
    NOTIFIER_GROUP: `bench-${run.id}-n`,
    SMTP_URL: run.catcher.url(),
    METRICS_ADDR: "off",
    ...extraEnv,
  };
  const notifier = new ServiceProcess("notifier", env, [], { denoFlags });
  let joined = 0;
  notifier.onLine = (line) => {
    if (!joined && line.includes('"consumer joined"')) joined = performance.now();
  };
  const sinkCpu = cpuUsage();
  try {
    const cpuS = await _waitForMails(run, notifier, 300_000);
    const sinkCpuS = _seconds(cpuUsage(sinkCpu));
    const first = run.stamps[0]!;
    const last = run.stamps[run.n - 1]!;
    return {
      sinkCpuS,
      row: {
        what: `(a) notifier process, ${
          extraEnv.SMTP_POOL_SIZE ?? "default"
        } SMTP pool, concurrency ${extraEnv.NOTIFIER_CONCURRENCY ?? "default"}`,
        mails: run.stamps.length,
        firstToLastS: (last - first) / 1000,
        ...(joined ? { joinToLastS: (last - joined) / 1000 } : {}),
        ...(cpuS !== undefined ? { cpuS } : {}),
      },
    };
  } finally {
    await notifier.stop();
  }
}

async function _childRow(
  run: NotifyRun,
  what: string,
  args: string[],
  mails = run.n,
): Promise<NotifyBenchRow> {
  run.stamps.length = 0;
  const child = new ServiceProcess(new URL(import.meta.url).pathname, {
    KAFKA_BROKERS: BROKERS.join(","),
  }, args);
  try {
    const cpuS = await _waitForMails(run, child, 600_000, mails);
    return {
      what,
      mails,
      firstToLastS: (run.stamps[mails - 1]! - run.stamps[0]!) / 1000,
      ...(cpuS !== undefined ? { cpuS } : {}),
    };
  } finally {
    await child.stop();
  }
}

/** User + system CPU seconds of process `pid` so far, from /proc (Linux); undefined elsewhere. */
function _cpuSeconds(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function _seconds(usage: { user: number; system: number }): number {
  return (usage.user + usage.system) / 1e6;
}

/**
 * The markdown table of a result: per row the mails measured, first → last mail, the time for
 * all the run's alerts (projected from the rate for a row that sent fewer), mails/s, the sender's
 * CPU per mail and its rate against the ceiling (b); then whether (a) met its goal (≤ 1.0 s, or
 * ≥ 80 % of the ceiling).
 */
export function notifyTable(r: NotifyBenchResult): string {
  const rate = (row: NotifyBenchRow) => (row.mails - 1) / row.firstToLastS;
  const forAll = (row: NotifyBenchRow) =>
    row.mails === r.alerts
      ? `${row.firstToLastS.toFixed(2)} s`
      : `≈ ${(r.alerts / rate(row)).toFixed(0)} s (projected)`;
  const share = rate(r.notifier) / rate(r.ceiling);
  const met = r.notifier.firstToLastS <= 1.0 || share >= 0.8;
  const line = (row: NotifyBenchRow, note = "") =>
    `| ${row.what} | ${row.mails.toLocaleString("en")} | ${row.firstToLastS.toFixed(2)} s | ${
      forAll(row)
    } | ${row.joinToLastS !== undefined ? `${row.joinToLastS.toFixed(2)} s` : "—"} | ${
      Math.round(rate(row))
    } | ${
      row.cpuS !== undefined ? `${((row.cpuS * 1000) / (row.mails - 1)).toFixed(2)} ms` : "—"
    } | ${((rate(row) / rate(r.ceiling)) * 100).toFixed(0)} %${note} |`;
  return [
    `| ${
      r.alerts.toLocaleString("en")
    } alerts, ${r.partitions} partitions | mails measured | first → last mail | all ${
      r.alerts.toLocaleString("en")
    } mails | group join → last mail | mails/s | sender CPU per mail | rate vs (b) |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    line(
      r.notifier,
      ` (goal ≤ 1.0 s or ≥ 80 %: ${met ? "met" : "missed"}${
        r.seed ? `; ${(rate(r.notifier) / rate(r.seed)).toFixed(0)}× the seed-style rate` : ""
      })`,
    ),
    line(r.ceiling),
    ...(r.seed ? [line(r.seed)] : []),
  ].join("\n");
}

/**
 * Rows (a) and (b) for each `POOLxCONCURRENCY` of `combos` (e.g. `"16x32"`: SMTP_POOL_SIZE 16,
 * NOTIFIER_CONCURRENCY 32; the ceiling sender uses the same pool), as a markdown table.
 */
export async function sweepTable(combos: string[], alerts = 2000): Promise<string> {
  const lines = [
    "| SMTP_POOL_SIZE | NOTIFIER_CONCURRENCY | (a) first → last | (a) mails/s | (a) CPU per mail | (b) ceiling, same pool | (a) rate vs (b) |",
    "|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const combo of combos) {
    const [pool, concurrency] = combo.split("x");
    const r = await benchNotify({
      alerts,
      seedMails: 0,
      notifierEnv: { SMTP_POOL_SIZE: pool!, NOTIFIER_CONCURRENCY: concurrency! },
    });
    const a = r.notifier;
    const cpu = a.cpuS === undefined ? "—" : `${((a.cpuS * 1000) / (a.mails - 1)).toFixed(2)} ms`;
    lines.push(
      `| ${pool} | ${concurrency} | ${a.firstToLastS.toFixed(2)} s | ${
        Math.round((a.mails - 1) / a.firstToLastS)
      } | ${cpu} | ${r.ceiling.firstToLastS.toFixed(2)} s | ${
        ((r.ceiling.firstToLastS / a.firstToLastS) * 100).toFixed(0)
      } % |`,
    );
  }
  return lines.join("\n");
}

// ---- child process modes -------------------------------------------------------------------

/** Row (b): sends `n` prepared alert mails through a pool of `pool` connections to `port`. */
async function _ceilingSender(port: number, n: number, pool: number): Promise<void> {
  const mails = benchAlerts(n, "ceiling").map((a) => alertMail(alertFromMessage(a)));
  await using mailer = new SmtpMailer({
    url: `smtp://127.0.0.1:${port}`,
    from: "tickerwatch <alerts@tickerwatch.local>",
    maxConnections: pool,
  });
  await Promise.all(mails.map((m) => mailer.send(m)));
}

/**
 * Row (c): the original notifier's loop on kafkajs: each message parsed, mailed over a new SMTP
 * connection (connect, send, quit), then its offset committed before the next one.
 */
async function _seedNotifier(topic: string, groupId: string, port: number): Promise<void> {
  const kafka = createKafkaClient({
    brokers: BROKERS,
    clientId: "seed-notifier",
    logger: silentLogger,
    logLevel: "error",
  });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const sent = new Map<string, string>();
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const a = JSON.parse(message.value!.toString()) as AlertMessage;
      const condition = `${Math.trunc(a.value_ticker)}|${a.threshold_type}|${a.ticker}`;
      if (sent.get(a.email) !== condition) {
        const transport = createTransport({ host: "127.0.0.1", port, secure: false });
        const verb = a.threshold_type === "HIGH" ? "rose above" : "fell below";
        await transport.sendMail({
          from: "tickerwatch <alerts@tickerwatch.local>",
          to: a.email,
          subject: `Ticker ${a.ticker}`,
          text:
            `The value of ${a.ticker} (${a.value_ticker}) ${verb} the ${a.threshold_type} threshold ${a.threshold_value}`,
        });
        transport.close();
        sent.set(a.email, condition);
      }
      const next = (BigInt(message.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
    },
  });
  await new Promise(() => {}); // until killed
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "--ceiling") {
    await _ceilingSender(Number(rest[0]), Number(rest[1]), Number(rest[2]));
    await new Promise(() => {}); // the bench stops this process once it counted the mails
  } else if (mode === "--seed") {
    await _seedNotifier(rest[0]!, rest[1]!, Number(rest[2]));
  } else if (mode === "--profile") {
    const profileDir = rest[0] ?? "bench/profile";
    const result = await benchNotify({ alerts: Number(rest[1] ?? 2000), profileDir, seedMails: 0 });
    console.log(notifyTable(result));
    console.log(`\nCPU profile of the notifier (row a) in ${profileDir}/ (*.cpuprofile, *.md)`);
    Deno.exit(0);
  } else if (mode === "--sweep") {
    console.log(await sweepTable((rest[0] ?? "4x32,10x32,16x32,10x16,10x64").split(",")));
    Deno.exit(0);
  } else {
    const alerts = Number(Deno.args[0] ?? 2000);
    const partitions = Number(Deno.args[1] ?? DEFAULT_TO_NOTIFIER_PARTITIONS);
    const result = await benchNotify({ alerts, partitions });
    console.log(notifyTable(result));
    console.log(
      `\nSMTP sink in the bench process (CPU ${result.sinkCpuS.toFixed(2)} s during row a); ` +
        "the notifier, the ceiling sender and the seed-style consumer each in their own process.",
    );
    Deno.exit(0);
  }
}
