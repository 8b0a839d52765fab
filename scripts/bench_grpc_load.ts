/**
 * gRPC under concurrency: from a separate client process (tests/fixtures/grpc_load_client.ts),
 * `concurrency` calls in flight on one channel for `durationMs`, against
 *   (a) a trivial grpc-js echo server in its own process (one unary method returning its request
 *       bytes; no database, no protobuf): the ceiling of this machine for client + server,
 *   (b) GetLatestValue on the query server (a process, as deployed) over seeded users and quotes,
 *   (c) RegisterUser on the command server (a process, as deployed), unique e-mails and request
 *       ids.
 * Prints a markdown table: calls/s, p50, p99, the share of the echo ceiling, and the CPU time per
 * call of the server and of the client process (from /proc, warm-up included): on a shared
 * machine the CPU per call moves much less than the rates do.
 *
 * Usage: deno run -A scripts/bench_grpc_load.ts [seconds=10] [concurrency=50]
 * (`--echo-server` runs the echo server itself: the benchmark starts it that way.)
 */
import * as grpc from "@grpc/grpc-js";
import mysql from "mysql2/promise";
import { fileURLToPath } from "node:url";
import {
  ECHO_SERVICE,
  type LoadResult,
  type LoadSpec,
  type LoadTarget,
} from "../tests/fixtures/grpc_load_client.ts";
import { freshDatabase } from "../tests/helpers/mysql.ts";
import { ServiceProcess } from "./service_process.ts";

const CLIENT = fileURLToPath(new URL("../tests/fixtures/grpc_load_client.ts", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Options of {@linkcode benchGrpcLoad}; every one has a default. */
export interface GrpcLoadOptions {
  /** Measured time per row, ms; default 10,000. */
  durationMs?: number;
  /** Calls in flight; default 50. */
  concurrency?: number;
  /** Uncounted time before each measurement, ms; default 2,000. */
  warmupMs?: number;
  /** Users seeded for GetLatestValue; default 1,000 (over 10 tickers, 1,000 quotes each). */
  users?: number;
  /** More environment of both servers (e.g. `{ MYSQL_POOL_SIZE: "20" }`), over the bench's. */
  serverEnv?: Record<string, string>;
  /** Progress lines (default stderr). */
  say?: (line: string) => void;
}

/** One row of the table. */
export interface GrpcLoadRow {
  /** "echo (ceiling)", "GetLatestValue", "RegisterUser". */
  name: string;
  result: LoadResult;
  /** calls/s as a share of the echo row's, 0..1 (1 for the echo row itself). */
  ofEcho: number;
  /** The server process's CPU time per call (warm-up included), µs; NaN where unreadable. */
  serverCpuUsPerCall: number;
  /** The client process's CPU time per call, µs. */
  clientCpuUsPerCall: number;
}

const TICKERS = [
  "AAPL",
  "MSFT",
  "GOOG",
  "AMZN",
  "NVDA",
  "META",
  "TSLA",
  "BRK-B",
  "EURUSD=X",
  "BTC-USD",
];

/** CPU time (user + system) of process `pid` so far, ms, from /proc; NaN where unreadable. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and
    // 13th, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * Runs `spec` from a client process against the server process `server` and returns what the
 * client measured with the CPU time per call of both processes.
 */
async function _row(
  name: string,
  server: ServiceProcess,
  spec: LoadSpec,
  ceiling: number | undefined,
): Promise<GrpcLoadRow> {
  const before = processCpuMs(server.child.pid);
  const result = await loadFromProcess(spec);
  const serverMs = processCpuMs(server.child.pid) - before;
  return {
    name,
    result,
    ofEcho: ceiling === undefined ? 1 : result.callsPerSecond / ceiling,
    serverCpuUsPerCall: (serverMs * 1000) / result.totalCalls,
    clientCpuUsPerCall: (result.clientCpuMs * 1000) / result.totalCalls,
  };
}

/** Runs one load client process with `spec` and returns what it measured. */
export async function loadFromProcess(spec: LoadSpec): Promise<LoadResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLIENT, "--load", JSON.stringify(spec)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`load client failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(text.split("\n").at(-1)!) as LoadResult;
}

async function _seed(url: string, users: number): Promise<void> {
  const conn = await mysql.createConnection({ uri: url, timezone: "Z" });
  try {
    const now = new Date();
    const rows = Array.from(
      { length: users },
      (_, i) => [`load${i}@example.com`, TICKERS[i % TICKERS.length], 200, 100, now, now],
    );
    await conn.query(
      "INSERT INTO users (email, ticker, high_value, low_value, created_at, updated_at) VALUES ?",
      [rows],
    );
    for (const ticker of TICKERS) {
      const quotes = Array.from(
        { length: 1_000 },
        (_, i) => [ticker, 150 + i / 100, new Date(now.getTime() - i * 60_000), "USD"],
      );
      await conn.query("INSERT INTO quotes (ticker, price, at, currency) VALUES ?", [quotes]);
    }
  } finally {
    await conn.end();
  }
}

/**
 * Runs the three rows, each from its own client process, in one run: the echo ceiling, then
 * GetLatestValue, then RegisterUser, on a fresh database that is dropped at the end.
 */
export async function benchGrpcLoad(options: GrpcLoadOptions = {}): Promise<GrpcLoadRow[]> {
  const durationMs = options.durationMs ?? 10_000;
  const concurrency = options.concurrency ?? 50;
  const warmupMs = options.warmupMs ?? 2_000;
  const users = options.users ?? 1_000;
  const say = options.say ?? ((line: string) => console.error(`bench_grpc_load: ${line}`));
  await using db = freshDatabase("tw_bench_load");
  // As deployed (metrics and info logs on), but with no per-address register limit (every call
  // comes from one address), no confirmation mails and no public link listener.
  const env = {
    MYSQL_URL: db.url,
    GRPC_ADDR: "127.0.0.1:0",
    METRICS_ADDR: "127.0.0.1:0",
    REGISTER_RATE_PER_MINUTE: "0",
    REQUIRE_CONFIRMATION: "off",
    PUBLIC_HTTP_ADDR: "off",
    ...options.serverEnv,
  };
  const spec = (port: number, target: LoadTarget): LoadSpec => ({
    address: `127.0.0.1:${port}`,
    target,
    concurrency,
    durationMs,
    warmupMs,
  });
  const rows: GrpcLoadRow[] = [];
  const echo = new ServiceProcess(SELF, {}, ["--echo-server"]);
  try {
    say(`echo server: ${concurrency} in flight for ${durationMs} ms`);
    rows.push(
      await _row("echo (ceiling)", echo, spec(await echo.grpcPort(), { kind: "echo" }), undefined),
    );
  } finally {
    await echo.stop();
  }
  const ceiling = rows[0]!.result.callsPerSecond;
  const cmd = new ServiceProcess("command_server", env);
  const qry = new ServiceProcess("query_server", env);
  try {
    const [cport, qport] = [await cmd.grpcPort(), await qry.grpcPort()];
    await _seed(db.url, users);
    say(`GetLatestValue: ${users} users, ${TICKERS.length} tickers × 1,000 quotes`);
    rows.push(
      await _row(
        "GetLatestValue",
        qry,
        spec(qport, { kind: "GetLatestValue", users, prefix: "load" }),
        ceiling,
      ),
    );
    say("RegisterUser: new e-mails, fresh request ids");
    rows.push(
      await _row(
        "RegisterUser",
        cmd,
        spec(cport, { kind: "RegisterUser", prefix: "new", ticker: "AAPL" }),
        ceiling,
      ),
    );
  } finally {
    await cmd.stop();
    await qry.stop();
  }
  return rows;
}

/** The rows as a markdown table (lines starting with `|`). */
export function grpcLoadTable(rows: readonly GrpcLoadRow[], concurrency = 50): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const us = (v: number) => Number.isFinite(v) ? `${Math.round(v)} µs` : "–";
  const lines = [
    `| ${concurrency} calls in flight | calls/s | p50 | p99 | % of echo | goal | server CPU/call | client CPU/call | errors |`,
    "|---|---:|---:|---:|---:|---|---:|---:|---:|",
  ];
  for (const row of rows) {
    const r = row.result;
    lines.push(
      `| ${row.name} | ${Math.round(r.callsPerSecond).toLocaleString("en-US")} | ${ms(r.p50)} | ${
        ms(r.p99)
      } | ${(row.ofEcho * 100).toFixed(0)} % | ${_goal(row)} | ${us(row.serverCpuUsPerCall)} | ${
        us(row.clientCpuUsPerCall)
      } | ${r.errors} |`,
    );
  }
  return lines.join("\n");
}

/** The goals: a share of the echo ceiling and p99 < 25 ms. */
const _GOAL_SHARE = new Map([["GetLatestValue", 0.6], ["RegisterUser", 0.3]]);

function _goal(row: GrpcLoadRow): string {
  const share = _GOAL_SHARE.get(row.name);
  if (share === undefined) return "—";
  const rate = row.ofEcho >= share ? "met" : "missed";
  const p99 = row.result.p99 < 25 ? "met" : "missed";
  return `≥ ${share * 100} % ${rate}; p99 < 25 ms ${p99}`;
}

async function _echoServer(): Promise<void> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    Echo: (
      call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>,
      cb: grpc.sendUnaryData<Uint8Array>,
    ) => cb(null, call.request),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (err, p) => err ? reject(err) : resolve(p),
    )
  );
  console.log(JSON.stringify({ msg: "grpc server listening", port }));
  const stop = () => server.tryShutdown(() => Deno.exit(0));
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}

if (import.meta.main) {
  if (Deno.args[0] === "--echo-server") {
    await _echoServer();
  } else {
    const seconds = Number(Deno.args[0] ?? 10);
    const concurrency = Number(Deno.args[1] ?? 50);
    if (!(seconds > 0) || !Number.isInteger(concurrency) || concurrency < 1) {
      console.error("usage: bench_grpc_load.ts [seconds>0] [concurrency≥1]");
      Deno.exit(2);
    }
    // BENCH_SERVER_ENV='{"MYSQL_POOL_SIZE":"20"}' tries other server settings.
    const serverEnv = JSON.parse(Deno.env.get("BENCH_SERVER_ENV") ?? "{}");
    const rows = await benchGrpcLoad({ durationMs: seconds * 1000, concurrency, serverEnv });
    console.log(grpcLoadTable(rows, concurrency));
  }
}
