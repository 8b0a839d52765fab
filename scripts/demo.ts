/**
 * `deno task demo`: tickerwatch running on this machine without Docker.
 *
 * First checks what it needs (scripts/demo/preflight.ts, also `deno task doctor`) and stops with
 * one line per problem before starting anything. Then, in parallel, starts the local 3-broker
 * Kafka cluster (when no broker answers) and, on the other side, a local SMTP catcher that saves
 * each mail under `.demo/mail-*` and prints one line per mail, the command and query servers and
 * the demo users' subscriptions; once Kafka is up, kafka-admin `--once`, then the alert system
 * and the notifier; the demo confirms each user by following the link of its confirmation mail
 * (double opt-in), then starts the collector (synthetic prices that cross thresholds in the first
 * cycle).
 * Service logs go to `.demo/logs/<service>.log`; a failure prints which service, its last error
 * and where its log is, and exits 1. Ctrl-C stops everything it started.
 *
 *   deno task demo [--cycles N] [--interval SECONDS] [--ephemeral-ports] [--start-mysql]
 *
 * --cycles N        exit after N collector cycles with a summary (exit 1 unless every alert
 *                   was mailed)
 * --interval S      seconds between cycles (default 5)
 * --ephemeral-ports gRPC, metrics and SMTP on free ports instead of 50051/50052, 9101-9105, 2525
 * --start-mysql     start an installed MariaDB/MySQL that is not running, as .ci/run does
 *
 * Environment: MYSQL_URL (default mysql://root@127.0.0.1:3306/tickerwatch_demo), KAFKA_BROKERS,
 * DEMO_DIR (default .demo), TOPIC_TO_ALERT_SYSTEM / TOPIC_TO_NOTIFIER (passed to the services).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { UserClient } from "../core/mod.ts";
import { DemoFailure, lastErrorLine } from "./demo/demo_failure.ts";
import { DEMO_PORTS, type DemoPort } from "./demo/demo_ports.ts";
import { preflight } from "./demo/preflight.ts";
import { DEFAULT_DEMO_MYSQL_URL, printChecks } from "./demo/print_checks.ts";
import { ensureLocalKafka, type LocalKafka } from "./local_kafka.ts";
import { ServiceProcess } from "./service_process.ts";
import { parseMessage, SmtpCatcher } from "./smtp_catcher.ts";
import { waitFor } from "./wait.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Seconds since the process started, so the figures include Deno's own start-up.
const seconds = () => (performance.now() / 1000).toFixed(1);
const say = (line: string) => console.log(`[${seconds().padStart(5)}s] ${line}`);

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    cycles: { type: "string" },
    interval: { type: "string", default: "5" },
    "ephemeral-ports": { type: "boolean", default: false },
    "start-mysql": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(
    "usage: deno task demo [--cycles N] [--interval SECONDS] [--ephemeral-ports] [--start-mysql]",
  );
  Deno.exit(0);
}
const cycles = flags.cycles === undefined ? Infinity : Number(flags.cycles);
const interval = Number(flags.interval);
if (!(cycles > 0) || !(interval > 0)) {
  console.error("demo: --cycles and --interval must be positive numbers");
  Deno.exit(2);
}

// Demo subscriptions, and price paths that cross a threshold of each in the first cycle, come
// back inside the band (re-arming it) and cross again.
const USERS = [
  { email: "ada@example.com", ticker: "AAPL", highValue: 200, lowValue: 180 },
  { email: "bob@example.com", ticker: "MSFT", lowValue: 400 },
  { email: "carol@example.com", ticker: "BTC-USD", highValue: 70_000 },
  { email: "dan@example.com", ticker: "EURUSD=X", highValue: 1.2, lowValue: 1.0 },
];
const PRICE_SCRIPT = "AAPL=205,195,178,185,203,190;MSFT=395,410,398,405,390,402;" +
  "BTC-USD=71000,69000,70500,68000,72500,69500;EURUSD=X=1.21,1.10,0.99,1.05,1.22,1.08";

const env = Deno.env.toObject();
const demoDir = env.DEMO_DIR ?? `${ROOT}.demo`;
const logDir = `${demoDir}/logs`;
const mysqlUrl = env.MYSQL_URL ?? DEFAULT_DEMO_MYSQL_URL;
const ephemeral = flags["ephemeral-ports"];
const addr = ({ port }: DemoPort) => `127.0.0.1:${ephemeral ? 0 : port}`;
const topics = Object.fromEntries(
  ["TOPIC_TO_ALERT_SYSTEM", "TOPIC_TO_NOTIFIER"].filter((k) => env[k]).map((k) => [k, env[k]!]),
);

// 1. Pre-flight: nothing starts unless every check passes.
const checks = await preflight({
  env,
  mysqlUrl,
  ports: ephemeral ? [] : Object.values(DEMO_PORTS),
  startMysql: flags["start-mysql"],
  say,
});
if (checks.some((c) => !c.ok)) {
  console.error("demo: cannot start; fix this first (`deno task doctor` checks again):");
  printChecks(checks);
  Deno.exit(1);
}
await Deno.mkdir(logDir, { recursive: true });

const children: ServiceProcess[] = [];
let kafkaStart: Promise<LocalKafka> | undefined;
let catcher: SmtpCatcher | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (stopping) Deno.exit(code);
  stopping = true;
  say("stopping the services");
  await Promise.all(children.map((c) => c.stop("SIGTERM")));
  await catcher?.stop();
  const kafka = await kafkaStart?.catch(() => undefined);
  if (kafka?.started) {
    say("stopping the Kafka cluster the demo started");
    await kafka.stop().catch((err) => console.error(err.message));
  }
  Deno.exit(code);
}

function fail(err: unknown): Promise<never> {
  if (stopping) return shutdown(1);
  console.error(
    err instanceof DemoFailure ? `\n${err.summary()}` : `\ndemo failed: ${(err as Error).message}`,
  );
  return shutdown(1);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, () => shutdown(0));

/** Starts an executable with its log in .demo/logs/<name>.log; its crash fails the demo. */
function service(name: string, extra: Record<string, string>, args: string[] = []) {
  const logFile = `${logDir}/${name}.log`;
  const child = new ServiceProcess(
    name,
    {
      MYSQL_URL: mysqlUrl,
      LOG_LEVEL: "info",
      KAFKAJS_NO_PARTITIONER_WARNING: "1",
      ...topics,
      ...extra,
    },
    args,
    { logFile },
  );
  children.push(child);
  child.exited.then((status) => {
    if (stopping || args.includes("--once")) return;
    fail(failureOf(child, `exited unexpectedly (code ${status.code})`));
  });
  return child;
}

function failureOf(child: ServiceProcess, what: string, cause?: unknown): DemoFailure {
  return new DemoFailure(child.name, what, {
    lastError: lastErrorLine(child.lines),
    logFile: child.logFile,
    cause,
  });
}

/** Waits for the line that says `child` is ready; a failure names it, its error and its log. */
async function ready(child: ServiceProcess, pattern: RegExp, timeoutMs = 20_000) {
  try {
    return await child.waitForLine(pattern, timeoutMs);
  } catch (err) {
    throw failureOf(child, `did not become ready within ${timeoutMs / 1000} s`, err);
  }
}

async function startKafka(): Promise<LocalKafka> {
  try {
    return await ensureLocalKafka({
      say: (line) => say(`${line}; the first run fetches the jars with Maven`),
    });
  } catch (err) {
    const logFile = `${logDir}/kafka_cluster.log`;
    const text = (err as Error).message;
    await Deno.writeTextFile(logFile, text + "\n");
    const lines = text.split("\n").filter((l) => l.trim());
    throw new DemoFailure("kafka", "did not start", {
      lastError: lines.findLast((l) => l.startsWith("kafka_cluster:")) ?? lines[0],
      logFile,
      cause: err,
    });
  }
}

try {
  // 2. In parallel: Kafka, and everything that needs only MySQL (SMTP catcher, gRPC servers,
  // the demo users).
  kafkaStart = startKafka();
  kafkaStart.catch(() => {}); // awaited below; a failure there is reported once
  const mailDir = `${demoDir}/mail-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  let firstMailAt: string | undefined;
  // Double opt-in: each user's confirmation mail is answered by following its link (a POST, as
  // the page's button does); the collector starts once all of them are confirmed.
  let publicPort = 0;
  let confirmations = 0;
  const allConfirmed = Promise.withResolvers<void>();
  const confirm = async (link: string, who: string) => {
    const { pathname, search } = new URL(link);
    const url = `http://127.0.0.1:${publicPort}${pathname}${search}`;
    const response = await fetch(url, { method: "POST" }).catch((err) => err as Error);
    if (response instanceof Error || !response.ok) {
      await (response instanceof Error ? undefined : response.body?.cancel());
      const why = response instanceof Error ? response.message : `HTTP ${response.status}`;
      return allConfirmed.reject(new Error(`confirming ${who} failed: ${why}`));
    }
    await response.body?.cancel();
    say(`confirmed ${who} by following the link of its mail`);
    if (++confirmations === USERS.length) allConfirmed.resolve();
  };
  allConfirmed.promise.catch(() => {}); // awaited below
  catcher = await SmtpCatcher.start({
    port: ephemeral ? 0 : DEMO_PORTS.smtpCatcher.port,
    folder: mailDir,
    onMail: (m) => {
      const mail = parseMessage(m.raw);
      const file = m.file?.slice(m.file.lastIndexOf("/") + 1);
      const link = /https?:\/\/\S+\/confirm\?t=[\w.-]+/.exec(mail.text)?.[0];
      say(`✉  ${m.to.join(", ")}: ${mail.subject}  (${file})`);
      if (link) confirm(link, m.to.join(", "));
      else firstMailAt ??= seconds();
    },
  });
  say(`SMTP catcher on 127.0.0.1:${catcher.port}, saving mails under ${mailDir}`);

  // Queries too on the command address: the original system's client uses that one only.
  const command = service("command_server", {
    GRPC_ADDR: addr(DEMO_PORTS.commandGrpc),
    GRPC_SERVICES: "command,query",
    METRICS_ADDR: addr(DEMO_PORTS.commandMetrics),
    REQUIRE_CONFIRMATION: "on",
    PUBLIC_HTTP_ADDR: addr(DEMO_PORTS.commandPublic),
    PUBLIC_BASE_URL: `http://localhost:${DEMO_PORTS.commandPublic.port}`,
  });
  const query = service("query_server", {
    GRPC_ADDR: addr(DEMO_PORTS.queryGrpc),
    METRICS_ADDR: addr(DEMO_PORTS.queryMetrics),
  });
  const port = async (child: ServiceProcess) =>
    JSON.parse(await ready(child, /grpc server listening/)).port as number;
  const [commandPort, queryPort] = await Promise.all([port(command), port(query)]);
  publicPort = JSON.parse(await ready(command, /public link server listening/)).port;
  say(`command server on :${commandPort}, query server on :${queryPort}`);
  say(
    `single address for the original client: 127.0.0.1:${commandPort} serves commands and queries`,
  );

  using client = new UserClient({
    commandAddr: `127.0.0.1:${commandPort}`,
    queryAddr: `127.0.0.1:${queryPort}`,
  });
  // Each run starts the demo users afresh, so their thresholds are armed for the first cycle.
  const run = Date.now().toString(36);
  await Promise.all(USERS.map(async (u) => {
    await client.delete({ email: u.email, requestId: `demo-delete-${u.email}-${run}` });
    const r = await client.register({ ...u, requestId: `demo-register-${u.email}-${run}` });
    const band = [u.lowValue && `below ${u.lowValue}`, u.highValue && `above ${u.highValue}`]
      .filter(Boolean).join(" or ");
    say(`subscribed ${u.email} to ${u.ticker} (${band}): ${r.ok ? "ok" : r.message}`);
  }));

  // 3. Kafka's side: topics, then the alert system, the notifier and the collector at once.
  const kafka = await kafkaStart;
  const brokers = { KAFKA_BROKERS: kafka.brokers.join(",") };
  say(`${kafka.started ? "started" : "using"} the Kafka cluster at ${brokers.KAFKA_BROKERS}`);
  const admin = service("kafka_admin", { ...brokers, METRICS_ADDR: "off" }, ["--once"]);
  const adminStatus = await admin.exited;
  if (adminStatus.code !== 0) throw failureOf(admin, `failed (code ${adminStatus.code})`);
  say("topics ensured (kafka-admin --once)");

  let done = 0;
  let quotes = 0;
  let alerts = 0;
  const allEvaluated = Promise.withResolvers<void>();
  const alertSystem = service("alert_system", {
    ...brokers,
    METRICS_ADDR: addr(DEMO_PORTS.alertSystemMetrics),
  });
  // Only this run's cycles count: the topic may still hold an update a stopped run left behind.
  const ours = new Set<string>();
  const evaluated = new Map<string, { quotes: number; alerts: number; millis: number }>();
  const report = (cycleId: string) => {
    const l = evaluated.get(cycleId);
    if (!l || !ours.delete(cycleId)) return;
    done++;
    quotes += l.quotes;
    alerts += l.alerts;
    say(
      `cycle ${done}: ${l.quotes} quotes → ${l.alerts} alert${l.alerts === 1 ? "" : "s"} ` +
        `(${l.millis} ms)`,
    );
    if (done >= cycles) allEvaluated.resolve();
  };
  alertSystem.onLine = (line) => {
    if (!line.includes('"update evaluated"')) return;
    const l = JSON.parse(line);
    evaluated.set(l.cycleId, l);
    report(l.cycleId);
  };
  const notifier = service("notifier", {
    ...brokers,
    SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
    METRICS_ADDR: addr(DEMO_PORTS.notifierMetrics),
  });
  await Promise.all([
    ready(alertSystem, /alert system consuming/),
    ready(notifier, /notifier started/),
  ]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    allConfirmed.promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), 20_000);
    }),
  ]).catch((err) => {
    throw failureOf(
      notifier,
      `${confirmations} of ${USERS.length} demo users confirmed within 20 s`,
      err,
    );
  }).finally(() => clearTimeout(timer));
  const collector = service("collector", {
    ...brokers,
    PRICE_SOURCE: "synthetic",
    PRICE_SCRIPT,
    COLLECT_INTERVAL: String(interval),
    METRICS_ADDR: addr(DEMO_PORTS.collectorMetrics),
  });
  collector.onLine = (line) => {
    if (!line.includes('"cycle done"')) return;
    const { cycleId } = JSON.parse(line);
    ours.add(cycleId);
    report(cycleId);
  };
  await ready(collector, /cycle done|cycle skipped/);
  say(
    `collector running: a cycle every ${interval} s${
      cycles < Infinity ? `, ${cycles} cycles` : " (Ctrl-C to stop)"
    }; logs in ${logDir}`,
  );

  // 4. The first cycle crosses thresholds: no mail soon after it is a failure.
  const mailed = catcher;
  const alertMails = () => mailed.messages.length - confirmations;
  await waitFor(() => alertMails() > 0, { timeoutMs: 20_000, intervalMs: 50 })
    .catch((err) => {
      if (!collector.lines.some((l) => /cycle done/.test(l))) {
        throw failureOf(collector, "ran no price cycle within 20 s", err);
      }
      if (done === 0) throw failureOf(alertSystem, "evaluated no cycle within 20 s", err);
      if (alerts === 0) {
        throw failureOf(alertSystem, "raised no alert, though the first prices cross", err);
      }
      throw failureOf(notifier, `sent no mail within 20 s for ${alerts} alerts`, err);
    });
  say(`first mail ${firstMailAt} s after the start`);

  await allEvaluated.promise;
  await waitFor(() => alertMails() >= alerts, {
    timeoutMs: 30_000,
    intervalMs: 100,
  }).catch(() => {}); // checked below
  const mails = alertMails();
  console.log(
    `\nsummary: ${done} cycle${
      done === 1 ? "" : "s"
    }, ${quotes} quotes, ${alerts} alerts, ${mails} emails (+ ${confirmations} confirmations), ` +
      `first mail after ${firstMailAt} s; mails in ${mailDir}, logs in ${logDir}`,
  );
  if (mails < alerts) throw failureOf(notifier, `mailed ${mails} of ${alerts} alerts`);
  await shutdown(0);
} catch (err) {
  await fail(err);
}
