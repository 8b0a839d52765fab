/**
 * Lean processes: each of the six services started as its own process the way the demo, the
 * benchmarks and the process tests start them (`deno run -A --v8-flags=… executables/<name>.ts`,
 * see scripts/service_process.ts), against the real MySQL (a private, migrated database), the real
 * Kafka cluster (private topics and consumer groups) and an SMTP catcher for the notifier.
 *
 * Per start it measures
 * - time to ready: from spawn to the first HTTP 200 of `/healthz` on the service's METRICS_ADDR
 *   (polled every 10 ms; a refused connection or a 503 is "not yet");
 * - idle RSS: `VmRSS` of `/proc/<pid>/status` after `idleMs` of idling past ready, read from
 *   the `deno` process itself (the child is Deno.execPath(), checked through /proc/<pid>/exe).
 *
 * Figures are the median of `starts` starts. Usage:
 *   deno run -A scripts/bench_processes.ts [--starts 3] [--idle-ms 3000] [--only notifier,...]
 *     [--deno-flag --v8-flags=...]...
 */
import { KAFKA_BROKERS, randomName } from "../tests/_kafka.ts";
import { kafkaTopics } from "../tests/helpers/kafka_topics.ts";
import { migratedDatabase } from "../tests/helpers/mysql.ts";
import { SmtpCatcher } from "./smtp_catcher.ts";
import { runFlags, ServiceProcess } from "./service_process.ts";

/** The six services, by executable name. */
export const SERVICES = [
  "command_server",
  "query_server",
  "collector",
  "alert_system",
  "notifier",
  "kafka_admin",
] as const;

/** One of {@linkcode SERVICES}. */
export type ServiceName = typeof SERVICES[number];

/** What `/healthz` of each service reports ready (from core/services/*). */
export const READINESS: Record<ServiceName, string> = {
  command_server: "the database answers (gRPC, link listener and mail relay up)",
  query_server: "the database answers (gRPC up)",
  collector: "the last cycle did not fail (the first cycle runs at start)",
  alert_system: "its Kafka consumer runs (connected, subscribed, group joined at start)",
  notifier: "its Kafka consumer runs (connected, subscribed, group joined at start)",
  kafka_admin: "the last look at the cluster succeeded (topics ensured)",
};

/** Figures of one service. */
export interface ProcessFigures {
  service: ServiceName;
  /** Time to ready of each start, ms. */
  readyMs: number[];
  /** Idle RSS of each start, MiB. */
  rssMiB: number[];
  medianReadyMs: number;
  medianRssMiB: number;
}

/** Options of {@linkcode benchProcesses}. */
export interface BenchProcessesOptions {
  /** Starts per service; default 3. */
  starts?: number;
  /** Idle time after ready before RSS is read; default 3,000 ms. */
  idleMs?: number;
  /** Services to measure; default all six. */
  services?: readonly ServiceName[];
  /** Extra `deno run` flags, e.g. `["--v8-flags=--max-semi-space-size=1"]` (experiments). */
  denoFlags?: string[];
  /** Longest wait for ready; default 30,000 ms. */
  readyTimeoutMs?: number;
  /** Called after each start with its figures. */
  onStart?: (service: ServiceName, readyMs: number, rssMiB: number) => void;
}

/** A free loopback TCP port (bound and released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** `VmRSS` of process `pid` in MiB. */
export function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = status.match(/^VmRSS:\s+(\d+) kB$/m);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) / 1024;
}

/** Polls `/healthz` on `port` until it answers 200; resolves with the time it took from `t0`. */
export async function waitReady(
  port: number,
  t0: number,
  { timeoutMs = 30_000, exited }: { timeoutMs?: number; exited?: Promise<unknown> } = {},
): Promise<number> {
  let gone = false;
  exited?.then(() => gone = true);
  for (;;) {
    if (gone) throw new Error("process exited before ready");
    if (performance.now() - t0 > timeoutMs) throw new Error(`not ready within ${timeoutMs} ms`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - t0;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The environment of `service` on the given database, topics and SMTP port. */
function envOf(
  service: ServiceName,
  { mysqlUrl, toAlert, toNotifier, smtpPort }: {
    mysqlUrl: string;
    toAlert: string;
    toNotifier: string;
    smtpPort: number;
  },
): Record<string, string> {
  const common = {
    MYSQL_URL: mysqlUrl,
    KAFKA_BROKERS: KAFKA_BROKERS.join(","),
    TOPIC_TO_ALERT_SYSTEM: toAlert,
    TOPIC_TO_NOTIFIER: toNotifier,
    LOG_LEVEL: "info",
  };
  switch (service) {
    case "command_server":
      // As deployed: double opt-in on, its mail relay and the public link listener.
      return {
        ...common,
        GRPC_ADDR: "127.0.0.1:0",
        REQUIRE_CONFIRMATION: "on",
        PUBLIC_HTTP_ADDR: `127.0.0.1:${freePort()}`,
      };
    case "query_server":
      return { ...common, GRPC_ADDR: "127.0.0.1:0" };
    case "collector":
      // Synthetic prices: no Internet here; an interval long enough to stay idle.
      return { ...common, PRICE_SOURCE: "synthetic", COLLECT_INTERVAL: "300" };
    case "alert_system":
      return { ...common, ALERT_SYSTEM_GROUP: randomName("bench-alert") };
    case "notifier":
      return {
        ...common,
        NOTIFIER_GROUP: randomName("bench-notifier"),
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      };
    case "kafka_admin":
      return common;
  }
}

/**
 * Starts each service `starts` times and measures its time to ready and idle RSS; see the
 * module doc.
 */
export async function benchProcesses(
  options: BenchProcessesOptions = {},
): Promise<ProcessFigures[]> {
  const {
    starts = 3,
    idleMs = 3_000,
    services = SERVICES,
    denoFlags = [],
    readyTimeoutMs = 30_000,
    onStart,
  } = options;
  await using db = await migratedDatabase("tw_bench_proc");
  await using topics = await kafkaTopics([
    { prefix: "bench-proc-to-alert-system", dlq: true },
    { prefix: "bench-proc-to-notifier", dlq: true },
  ]);
  const [toAlert, toNotifier] = topics.names as [string, string];
  const smtp = await SmtpCatcher.start();
  try {
    const figures: ProcessFigures[] = [];
    for (const service of services) {
      const readyMs: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < starts; i++) {
        const metricsPort = freePort();
        const env = {
          ...envOf(service, { mysqlUrl: db.url, toAlert, toNotifier, smtpPort: smtp.port }),
          METRICS_ADDR: `127.0.0.1:${metricsPort}`,
        };
        const t0 = performance.now();
        const p = new ServiceProcess(service, env, [], { denoFlags });
        try {
          const ready = await waitReady(metricsPort, t0, {
            timeoutMs: readyTimeoutMs,
            exited: p.exited,
          }).catch((err) => {
            throw new Error(`${service}: ${err.message}\n${p.lines.join("\n")}`);
          });
          await new Promise((r) => setTimeout(r, idleMs));
          const exe = Deno.readLinkSync(`/proc/${p.child.pid}/exe`);
          if (exe !== Deno.execPath()) {
            throw new Error(`${service}: pid ${p.child.pid} is ${exe}, not deno`);
          }
          const mib = rssMiB(p.child.pid);
          readyMs.push(ready);
          rss.push(mib);
          onStart?.(service, ready, mib);
        } finally {
          const status = await p.stop("SIGTERM");
          if (status.code !== 0) {
            console.error(`${service} exited ${status.code}:\n${p.lines.slice(-20).join("\n")}`);
          }
        }
      }
      figures.push({
        service,
        readyMs,
        rssMiB: rss,
        medianReadyMs: median(readyMs),
        medianRssMiB: median(rss),
      });
    }
    return figures;
  } finally {
    await smtp.stop();
  }
}

/** The figures as a markdown table. */
export function table(figures: ProcessFigures[]): string {
  const lines = [
    "| service | ready (median, ms) | idle RSS (median, MiB) | goal (ready ≤ 1.5 s, RSS ≤ 100 MiB) | ready per start (ms) | RSS per start (MiB) | /healthz ready when |",
    "|---|---:|---:|---|---|---|---|",
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.service.replace("_", "-")} | ${Math.round(f.medianReadyMs)} | ${
        f.medianRssMiB.toFixed(1)
      } | ${f.medianReadyMs <= 1_500 ? "met" : "missed"}, ${
        f.medianRssMiB <= 100 ? "met" : "missed"
      } | ${f.readyMs.map((x) => Math.round(x)).join(", ")} | ${
        f.rssMiB.map((x) => x.toFixed(1)).join(", ")
      } | ${READINESS[f.service]} |`,
    );
  }
  return lines.join("\n");
}

/** The value of `--name value` in `args`, all of them for a repeated flag. */
function flagValues(args: string[], name: string): string[] {
  return args.flatMap((a, i) => a === name && i + 1 < args.length ? [args[i + 1]!] : []);
}

if (import.meta.main) {
  const args = {
    starts: flagValues(Deno.args, "--starts")[0],
    "idle-ms": flagValues(Deno.args, "--idle-ms")[0],
    only: flagValues(Deno.args, "--only")[0],
    "deno-flag": flagValues(Deno.args, "--deno-flag"),
  };
  const services = args.only
    ? args.only.split(",").map((s) => s.trim().replace("-", "_") as ServiceName)
    : SERVICES;
  for (const s of services) {
    if (!SERVICES.includes(s)) throw new Error(`unknown service ${s}`);
  }
  const figures = await benchProcesses({
    starts: Number(args.starts ?? 3),
    idleMs: Number(args["idle-ms"] ?? 3_000),
    services,
    denoFlags: args["deno-flag"],
    onStart: (s, ms, mib) =>
      console.error(`${s}: ready ${Math.round(ms)} ms, ${mib.toFixed(1)} MiB`),
  });
  console.log(
    `Processes (deno run ${
      runFlags(args["deno-flag"]).join(" ")
    }, Deno ${Deno.version.deno}; median of ${args.starts ?? 3} starts; MySQL and Kafka up):\n`,
  );
  console.log(table(figures));
  console.log(
    "\nCompiled binaries (deno compile) are not measured here: deno compile needs denort, " +
      "which cannot be downloaded on this machine.",
  );
}
