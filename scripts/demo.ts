/**
 * `deno task demo`: tickerwatch running on this machine without Docker.
 *
 * Starts the local 3-broker Kafka cluster (when no broker answers), a local SMTP catcher that
 * saves each mail under `.demo/mail-*` and prints one line per mail, kafka-admin `--once`, the
 * command and query servers, the alert system, the notifier and the collector (synthetic prices
 * on a short interval), subscribes a few demo users over gRPC and shows each cycle's progress.
 * Ctrl-C stops everything it started.
 *
 *   deno task demo [--cycles N] [--interval SECONDS] [--ephemeral-ports]
 *
 * --cycles N        exit after N collector cycles with a summary (exit 1 when no mail arrived)
 * --interval S      seconds between cycles (default 5)
 * --ephemeral-ports gRPC and metrics on free ports instead of 50051/50052 and 9101-9105
 *
 * Environment: MYSQL_URL (default mysql://root@127.0.0.1:3306/tickerwatch_demo), KAFKA_BROKERS,
 * DEMO_DIR (default .demo), TOPIC_TO_ALERT_SYSTEM / TOPIC_TO_NOTIFIER (passed to the services).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { UserClient } from "../core/mod.ts";
import { ensureLocalKafka, type LocalKafka } from "./local_kafka.ts";
import { runToEnd, ServiceProcess } from "./service_process.ts";
import { parseMessage, SmtpCatcher } from "./smtp_catcher.ts";
import { waitFor } from "./wait.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    cycles: { type: "string" },
    interval: { type: "string", default: "5" },
    "ephemeral-ports": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("usage: deno task demo [--cycles N] [--interval SECONDS] [--ephemeral-ports]");
  Deno.exit(0);
}
const cycles = flags.cycles === undefined ? Infinity : Number(flags.cycles);
const interval = Number(flags.interval);
if (!(cycles > 0) || !(interval > 0)) {
  console.error("demo: --cycles and --interval must be positive numbers");
  Deno.exit(2);
}

// Demo subscriptions, and price paths that cross their thresholds within the first cycles.
const USERS = [
  { email: "ada@example.com", ticker: "AAPL", highValue: 200, lowValue: 180 },
  { email: "bob@example.com", ticker: "MSFT", lowValue: 400 },
  { email: "carol@example.com", ticker: "BTC-USD", highValue: 70_000 },
  { email: "dan@example.com", ticker: "EURUSD=X", highValue: 1.2, lowValue: 1.0 },
];
const PRICE_SCRIPT = "AAPL=190,205,210,195,178,185,203;MSFT=420,410,395,390,405,398;" +
  "BTC-USD=68000,69500,71000,72500,69000,70500;EURUSD=X=1.08,1.11,1.15,1.21,1.18,0.99";

const env = Deno.env.toObject();
const demoDir = env.DEMO_DIR ?? `${ROOT}.demo`;
const mysqlUrl = env.MYSQL_URL ?? "mysql://root@127.0.0.1:3306/tickerwatch_demo";
const port = (fixed: string) => flags["ephemeral-ports"] ? "127.0.0.1:0" : fixed;
const topics = Object.fromEntries(
  ["TOPIC_TO_ALERT_SYSTEM", "TOPIC_TO_NOTIFIER"].filter((k) => env[k]).map((k) => [k, env[k]!]),
);

const children: ServiceProcess[] = [];
let kafka: LocalKafka | undefined;
let catcher: SmtpCatcher | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (stopping) Deno.exit(code);
  stopping = true;
  say("stopping the services");
  await Promise.all(children.map((c) => c.stop("SIGTERM")));
  await catcher?.stop();
  if (kafka?.started) {
    say("stopping the Kafka cluster the demo started");
    await kafka.stop().catch((err) => console.error(err.message));
  }
  Deno.exit(code);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, () => shutdown(0));

function service(name: string, extra: Record<string, string>): ServiceProcess {
  const brokers = kafka!.brokers.join(",");
  const child = new ServiceProcess(name, {
    MYSQL_URL: mysqlUrl,
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: "info",
    ...topics,
    ...extra,
  });
  children.push(child);
  child.exited.then((status) => {
    if (!stopping) {
      console.error(`demo: ${name} exited unexpectedly (code ${status.code}); last lines:`);
      for (const line of child.lines.slice(-10)) console.error(`  ${line}`);
      shutdown(1);
    }
  });
  return child;
}

try {
  kafka = await ensureLocalKafka({
    say: (line) => say(`${line}; the first run fetches the jars with Maven`),
    inherit: true,
  });
  const brokers = kafka.brokers.join(",");
  if (!kafka.started) say(`using the Kafka cluster at ${brokers}`);

  const mailDir = `${demoDir}/mail-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  let firstMailAt: string | undefined;
  catcher = await SmtpCatcher.start({
    folder: mailDir,
    onMail: (m) => {
      firstMailAt ??= elapsed().trim();
      const file = m.file?.slice(m.file.lastIndexOf("/") + 1);
      say(`✉  ${m.to.join(", ")}: ${parseMessage(m.raw).subject}  (${file})`);
    },
  });
  say(`SMTP catcher on 127.0.0.1:${catcher.port}, saving mails under ${mailDir}`);

  const admin = await runToEnd("kafka_admin", {
    KAFKA_BROKERS: brokers,
    METRICS_ADDR: "off",
    ...topics,
  }, ["--once"]);
  if (admin.code !== 0) throw new Error(`kafka-admin --once failed:\n${admin.stderr}`);
  say("topics ensured (kafka-admin --once)");

  const command = service("command_server", {
    GRPC_ADDR: port("127.0.0.1:50051"),
    METRICS_ADDR: port("127.0.0.1:9101"),
  });
  const query = service("query_server", {
    GRPC_ADDR: port("127.0.0.1:50052"),
    METRICS_ADDR: port("127.0.0.1:9102"),
  });
  const [commandPort, queryPort] = [await command.grpcPort(), await query.grpcPort()];
  say(`command server on :${commandPort}, query server on :${queryPort}`);

  using client = new UserClient({
    commandAddr: `127.0.0.1:${commandPort}`,
    queryAddr: `127.0.0.1:${queryPort}`,
  });
  for (const u of USERS) {
    const r = await client.register({ ...u, requestId: `demo-register-${u.email}` });
    const band = [u.lowValue && `below ${u.lowValue}`, u.highValue && `above ${u.highValue}`]
      .filter(Boolean).join(" or ");
    say(`subscribed ${u.email} to ${u.ticker} (${band}): ${r.ok ? "ok" : r.message}`);
  }

  const alertSystem = service("alert_system", { METRICS_ADDR: port("127.0.0.1:9104") });
  const notifier = service("notifier", {
    SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
    METRICS_ADDR: port("127.0.0.1:9105"),
  });
  await alertSystem.waitForLine(/alert system consuming/);
  await notifier.waitForLine(/notifier started/);

  let done = 0;
  let quotes = 0;
  let alerts = 0;
  const allEvaluated = Promise.withResolvers<void>();
  alertSystem.onLine = (line) => {
    const l = JSON.parse(line);
    if (l.msg !== "update evaluated") return;
    done++;
    quotes += l.quotes;
    alerts += l.alerts;
    say(
      `cycle ${done}: ${l.quotes} quotes → ${l.alerts} alert${
        l.alerts === 1 ? "" : "s"
      } (${l.millis} ms)`,
    );
    if (done >= cycles) allEvaluated.resolve();
  };
  const collector = service("collector", {
    PRICE_SOURCE: "synthetic",
    PRICE_SCRIPT,
    COLLECT_INTERVAL: String(interval),
    METRICS_ADDR: port("127.0.0.1:9103"),
  });
  await collector.waitForLine(/cycle done|cycle skipped/);
  say(
    `collector running: a cycle every ${interval} s${
      cycles < Infinity ? `, ${cycles} cycles` : " (Ctrl-C to stop)"
    }`,
  );

  await allEvaluated.promise;
  // Give the notifier the time to mail this cycle's alerts.
  const mailed = catcher;
  await waitFor(() => mailed.messages.length >= alerts, {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: `${alerts} mails`,
  }).catch(() => {}); // the summary tells how many came
  const mails = catcher.messages.length;
  console.log(
    `\nsummary: ${done} cycles, ${quotes} quotes, ${alerts} alerts, ${mails} emails` +
      (firstMailAt ? `, first mail after ${firstMailAt}` : "") + `; mails in ${mailDir}`,
  );
  await shutdown(mails > 0 && mails === alerts ? 0 : 1);
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  await shutdown(1);
}
