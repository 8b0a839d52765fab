/**
 * gRPC latency: 1,000 sequential RegisterUser calls and 1,000 GetLatestValue calls against the
 * command and query servers (each its own process, as deployed) on a fresh MySQL database.
 * Prints median and p99 per method. Usage: deno run -A scripts/bench_grpc.ts [calls]
 */
import * as grpc from "@grpc/grpc-js";
import mysql from "mysql2/promise";
import { loadUserServiceProto } from "../core/grpc/user_service_proto.ts";
import { ServiceProcess } from "./service_process.ts";
import { freshDatabase } from "../tests/helpers/mysql.ts";

const CALLS = Number(Deno.args[0] ?? 1000);

function unary(client: grpc.Client, method: string, req: unknown): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!(
      req,
      (err: grpc.ServiceError | null) => err ? reject(err) : resolve(performance.now() - started),
    )
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Median and p99 of `n` sequential calls made by `call(i)`. */
export async function measure(n: number, call: (i: number) => Promise<number>) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await call(i));
  times.sort((a, b) => a - b);
  return {
    calls: n,
    median: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1)!,
  };
}

if (import.meta.main) {
  await using db = freshDatabase("tw_bench");
  const env = {
    MYSQL_URL: db.url,
    GRPC_ADDR: "127.0.0.1:0",
    LOG_LEVEL: "warn",
    REGISTER_RATE_PER_MINUTE: "0", // 1,000 registrations from one address
    // The figures compare with earlier runs: no confirmation mails, no link listener.
    REQUIRE_CONFIRMATION: "off",
    PUBLIC_HTTP_ADDR: "off",
  };
  const cmd = new ServiceProcess("command_server", { ...env, LOG_LEVEL: "info" });
  const qry = new ServiceProcess("query_server", { ...env, LOG_LEVEL: "info" });
  const proto = loadUserServiceProto();
  const creds = grpc.credentials.createInsecure();
  const c = new proto.commandService(`127.0.0.1:${await cmd.grpcPort()}`, creds);
  const q = new proto.queryService(`127.0.0.1:${await qry.grpcPort()}`, creds);
  try {
    // Warm up connections and JIT.
    for (let i = 0; i < 50; i++) {
      await unary(c, "RegisterUser", {
        email: `warm${i}@example.com`,
        ticker: "AAPL",
        request_id: `w${i}`,
      });
    }
    const register = await measure(CALLS, (i) =>
      unary(c, "RegisterUser", {
        email: `user${i}@example.com`,
        ticker: "AAPL",
        request_id: crypto.randomUUID(),
        high_value: 200,
        low_value: 100,
      }));
    const conn = await mysql.createConnection({ uri: db.url });
    const rows = Array.from(
      { length: 1000 },
      (_, i) => ["AAPL", 150 + i / 100, new Date(Date.now() - i * 1000)],
    );
    await conn.query("INSERT INTO quotes (ticker, price, at) VALUES ?", [rows]);
    await conn.end();
    for (let i = 0; i < 50; i++) {
      await unary(q, "GetLatestValue", { email: `user${i}@example.com` });
    }
    const latest = await measure(
      CALLS,
      (i) => unary(q, "GetLatestValue", { email: `user${i}@example.com` }),
    );
    const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(`| method | calls | median | p99 | max |`);
    console.log(`|---|---:|---:|---:|---:|`);
    for (const [name, r] of [["RegisterUser", register], ["GetLatestValue", latest]] as const) {
      console.log(`| ${name} | ${r.calls} | ${fmt(r.median)} | ${fmt(r.p99)} | ${fmt(r.max)} |`);
    }
  } finally {
    c.close();
    q.close();
    await cmd.stop();
    await qry.stop();
  }
}
