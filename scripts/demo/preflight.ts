/**
 * The checks `deno task demo` runs before it starts anything, and `deno task doctor` runs on
 * their own: MySQL reachable on MYSQL_URL (optionally starting an installed MariaDB as .ci/run
 * does), Deno not 2.9.x, Kafka's brokers or what the local cluster needs (Java 17+, Maven, the
 * broker jars), and the fixed ports free. Each failed check is one line naming the variable or
 * tool and the fix.
 */
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import { DEFAULT_KAFKA_BROKERS } from "../../core/config/common_config.ts";
import { brokersAnswering, kafkaBrokers } from "../local_kafka.ts";
import { waitFor } from "../wait.ts";
import type { DemoPort } from "./demo_ports.ts";
import { portHolder, portsOf } from "./listening_sockets.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The outcome of one check. */
export interface CheckResult {
  /** Whether the check passed. */
  readonly ok: boolean;
  /** The variable, tool or port it is about, e.g. "MYSQL_URL", "java", "port 50051". */
  readonly subject: string;
  /** One line: what was found and, for a failure, the fix. */
  readonly line: string;
}

/** Options of {@linkcode preflight}. */
export interface PreflightOptions {
  /** The environment (MYSQL_URL's value is `mysqlUrl`; KAFKA_BROKERS, KAFKA_DIR, HOME). */
  readonly env: Record<string, string>;
  /** The database URL the services will use. */
  readonly mysqlUrl: string;
  /** The fixed ports that must be free (none with --ephemeral-ports). */
  readonly ports: readonly DemoPort[];
  /** Start an installed, stopped MariaDB/MySQL on this machine, as .ci/run does. */
  readonly startMysql?: boolean;
  /** Progress lines (starting MariaDB). */
  readonly say?: (line: string) => void;
}

/** How the demo spells the command that starts the local MariaDB (the one .ci/run runs). */
export const START_MARIADB = "start-stop-daemon --start --oknodo --background --exec";

const ok = (subject: string, line: string): CheckResult => ({ ok: true, subject, line });
const fail = (subject: string, line: string): CheckResult => ({ ok: false, subject, line });

/** Runs every check at once and returns their results, in a fixed order. */
export async function preflight(options: PreflightOptions): Promise<CheckResult[]> {
  const [deno, mysqlCheck, kafka, ports] = await Promise.all([
    Promise.resolve(checkDeno(Deno.version.deno)),
    checkMysql(options),
    checkKafka(options.env),
    Promise.all(options.ports.map(checkPort)),
  ]);
  return [deno, mysqlCheck, ...kafka, ...ports];
}

/** Deno 2.9.x crashes gRPC servers (denoland/deno#36788); 2.8.3 is the pinned version. */
export function checkDeno(version: string): CheckResult {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 2 || (major === 2 && minor >= 9)) {
    return fail(
      "deno",
      `deno: ${version} can crash the gRPC servers (denoland/deno#36788): ` +
        "run `npx -y deno@2.8.3 task demo` or install deno@2.8.3",
    );
  }
  return ok("deno", `deno ${version}`);
}

/**
 * MySQL answers on `mysqlUrl`. When it does not and the host is this machine: says whether a
 * MariaDB/MySQL server is installed but stopped (and starts it with `startMysql`), or runs on
 * another port.
 */
export async function checkMysql(
  { mysqlUrl, startMysql = false, say = () => {} }: PreflightOptions,
): Promise<CheckResult> {
  let url: URL;
  try {
    url = new URL(mysqlUrl);
    if (url.protocol !== "mysql:") throw new TypeError(`protocol ${url.protocol}`);
  } catch (err) {
    return fail(
      "MYSQL_URL",
      `MYSQL_URL: "${mysqlUrl}" is not a mysql:// URL (${(err as Error).message}): ` +
        "set it like mysql://root@127.0.0.1:3306/tickerwatch_demo",
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 3306);
  const where = `${host}:${port}`;
  const outcome = await _tryConnect(url, host, port);
  if (outcome.ok) return ok("MYSQL_URL", `MySQL answers at ${where} (${outcome.version})`);
  if (!outcome.unreachable) {
    return fail(
      "MYSQL_URL",
      `MYSQL_URL: the server at ${where} refuses the connection (${outcome.message}): ` +
        "fix the user, password or host in MYSQL_URL",
    );
  }
  const local = ["127.0.0.1", "localhost", "::1"].includes(host);
  const server = local ? await _installedServer() : undefined;
  const running = server ? await _runningServers() : [];
  if (server && running.length === 0 && startMysql) {
    say(`MySQL is not answering at ${where}; starting ${server} (as .ci/run does)`);
    const started = await new Deno.Command("start-stop-daemon", {
      args: ["--start", "--oknodo", "--background", "--exec", server],
      stdout: "null",
      stderr: "piped",
    }).output().catch((err: Error) => ({
      success: false,
      stderr: new TextEncoder().encode(err.message),
    }));
    if (!started.success) {
      const why = new TextDecoder().decode(started.stderr).trim().split("\n").pop();
      return fail("MYSQL_URL", `MYSQL_URL: could not start ${server}: ${why}`);
    }
    const after = await waitFor(async () => {
      const o = await _tryConnect(url, host, port);
      return o.ok ? o : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    if (after) return ok("MYSQL_URL", `MySQL started, answers at ${where} (${after.version})`);
    return fail(
      "MYSQL_URL",
      `MYSQL_URL: started ${server} but nothing answers at ${where} after 60 s`,
    );
  }
  if (server && running.length === 0) {
    return fail(
      "MYSQL_URL",
      `MYSQL_URL: nothing answers at ${where}; ${server} is installed but not running: ` +
        `start it with \`${START_MARIADB} ${server}\`, or add --start-mysql`,
    );
  }
  if (running.length > 0) {
    const { pid, name } = running[0]!;
    const ports = (await portsOf(pid)).filter((p) => p !== port);
    const example = new URL(url.href);
    if (ports[0] !== undefined) example.port = String(ports[0]);
    return fail(
      "MYSQL_URL",
      `MYSQL_URL: nothing answers at ${where}, but ${name} runs here (pid ${pid}` +
        (ports.length > 0 ? `, listening on ${ports.join(", ")}` : "") +
        `): point MYSQL_URL at it${ports.length > 0 ? `, e.g. ${example.href}` : ""}`,
    );
  }
  return fail(
    "MYSQL_URL",
    `MYSQL_URL: nothing answers at ${where} (${outcome.message}): start a MySQL 8 or MariaDB ` +
      "server there, or set MYSQL_URL to one (README: Prerequisites)",
  );
}

type _Connect =
  | { ok: true; version: string }
  | { ok: false; unreachable: boolean; message: string };

async function _tryConnect(url: URL, host: string, port: number): Promise<_Connect> {
  try {
    const conn = await mysql.createConnection({
      host,
      port,
      user: decodeURIComponent(url.username || "root"),
      password: decodeURIComponent(url.password),
      connectTimeout: 3_000,
    });
    try {
      const [rows] = await conn.query("SELECT VERSION() AS v");
      return { ok: true, version: String((rows as { v: string }[])[0]?.v) };
    } finally {
      await conn.end().catch(() => {});
    }
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const unreachable = ["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "ECONNRESET"]
      .includes(e.code ?? "") || /connect|timed? ?out/i.test(e.message ?? "");
    return { ok: false, unreachable, message: e.message || e.code || String(err) };
  }
}

async function _installedServer(): Promise<string | undefined> {
  for (const name of ["mariadbd", "mysqld"]) {
    const found = (await _which(name)) ??
      (await Deno.stat(`/usr/sbin/${name}`).then(() => `/usr/sbin/${name}`, () => undefined));
    if (found) return found;
  }
  return undefined;
}

async function _runningServers(): Promise<{ pid: number; name: string }[]> {
  const found: { pid: number; name: string }[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const comm = (await Deno.readTextFile(`/proc/${e.name}/comm`).catch(() => "")).trim();
    if (comm === "mariadbd" || comm === "mysqld") found.push({ pid: Number(e.name), name: comm });
  }
  return found;
}

async function _which(tool: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    const path = `${dir}/${tool}`;
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isFile && ((info.mode ?? 0o111) & 0o111)) return path;
  }
  return undefined;
}

/**
 * Kafka: with KAFKA_BROKERS set elsewhere, one of them must answer; with the local brokers, the
 * local cluster needs Java 17+ and Maven, and, when it is not running yet, its jars (cached, or
 * Maven Central reachable).
 */
export async function checkKafka(env: Record<string, string>): Promise<CheckResult[]> {
  let brokers: string[];
  try {
    brokers = kafkaBrokers(env);
  } catch (err) {
    return [fail("KAFKA_BROKERS", `KAFKA_BROKERS: ${(err as Error).message}`)];
  }
  const answering = await brokersAnswering(brokers);
  if (brokers.join(",") !== DEFAULT_KAFKA_BROKERS) {
    return [
      answering > 0
        ? ok("KAFKA_BROKERS", `Kafka: ${answering}/${brokers.length} brokers answer`)
        : fail(
          "KAFKA_BROKERS",
          `KAFKA_BROKERS: no broker answers at ${brokers.join(",")}: start that cluster, or ` +
            "unset KAFKA_BROKERS to use the local one (scripts/kafka_cluster.sh)",
        ),
    ];
  }
  const results = await Promise.all([checkJava(), checkMaven()]);
  if (answering > 0) {
    results.push(ok("kafka", `Kafka: the local cluster runs (${answering}/3 brokers answer)`));
  } else {
    results.push(await checkKafkaJars(env));
  }
  return results;
}

/** Java 17 or newer is on PATH. */
export async function checkJava(): Promise<CheckResult> {
  const fix = "install Java 17+ (e.g. `apt-get install openjdk-17-jre-headless`); " +
    "the local Kafka brokers run on it";
  let text: string;
  try {
    const out = await new Deno.Command("java", {
      args: ["-version"],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  } catch {
    return fail("java", `java: not found on PATH: ${fix}`);
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = m ? (m[1] === "1" ? Number(m[2]) : Number(m[1])) : NaN;
  if (!(major >= 17)) {
    return fail("java", `java: version ${m ? major : "unknown"} found, 17+ needed: ${fix}`);
  }
  return ok("java", `java ${major}`);
}

/** Maven (`mvn`) is on PATH. */
export async function checkMaven(): Promise<CheckResult> {
  const path = await _which("mvn");
  return path ? ok("mvn", `mvn at ${path}`) : fail(
    "mvn",
    "mvn: not found on PATH: install Maven (e.g. `apt-get install maven`); it fetches the " +
      "Kafka broker jars once",
  );
}

/**
 * The local cluster's jars: assembled already (KAFKA_DIR/lib-<pom hash>), in ~/.m2, or Maven
 * Central (or a mirror configured in ~/.m2/settings.xml) answers.
 */
export async function checkKafkaJars(env: Record<string, string>): Promise<CheckResult> {
  const pom = await Deno.readFile(`${ROOT}scripts/kafka/pom.xml`);
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", pom)))
    .map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12);
  const kafkaDir = env.KAFKA_DIR ?? `${ROOT}.kafka`;
  const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
  if (await exists(`${kafkaDir}/lib-${hash}/.complete`)) {
    return ok("kafka", "Kafka: not running; the demo starts the local cluster (jars ready)");
  }
  const version = /<kafka\.version>([^<]+)</.exec(new TextDecoder().decode(pom))?.[1];
  const m2 = `${env.HOME ?? ""}/.m2`;
  const jar = `${m2}/repository/org/apache/kafka/kafka_2.13/${version}/kafka_2.13-${version}.jar`;
  if (await exists(jar)) {
    return ok("kafka", "Kafka: not running; the demo starts the local cluster (jars in ~/.m2)");
  }
  const mirror = /<mirror>/.test(await Deno.readTextFile(`${m2}/settings.xml`).catch(() => ""));
  if (mirror) return ok("kafka", "Kafka: the jars come from the mirror in ~/.m2/settings.xml");
  const central = await fetch("https://repo.maven.apache.org/maven2/", {
    method: "HEAD",
    signal: AbortSignal.timeout(4_000),
  }).then((r) => r.status < 500, () => false);
  return central
    ? ok("kafka", "Kafka: not running; the first start fetches the jars from Maven Central")
    : fail(
      "kafka jars",
      "kafka jars: not in ~/.m2 and Maven Central (repo.maven.apache.org) does not answer: " +
        "allow it (proxy in ~/.m2/settings.xml), or copy ~/.m2/repository from a machine " +
        "that ran the demo once",
    );
}

/** The fixed port is free on 127.0.0.1; if not, names the process holding it. */
export async function checkPort({ port, what }: DemoPort): Promise<CheckResult> {
  const subject = `port ${port}`;
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return ok(subject, `port ${port} (${what}) is free`);
  } catch (err) {
    if (!(err instanceof Deno.errors.AddrInUse)) {
      return fail(subject, `port ${port} (${what}): ${(err as Error).message}`);
    }
  }
  const holder = await portHolder(port);
  const by = holder
    ? `taken by pid ${holder.pid}${holder.command ? ` (${holder.command})` : ""}`
    : "taken by another process";
  return fail(
    subject,
    `port ${port} (${what}) is ${by}: stop it, or run the demo with --ephemeral-ports`,
  );
}
