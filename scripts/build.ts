/**
 * `deno task build`: compiles the six services and the user CLI (`tickerwatch`) with `deno compile`
 * into `dist/`.
 *
 * `deno compile` needs Deno's `denort` runtime for the target. It downloads it from dl.deno.land
 * (and caches it in DENO_DIR), or uses the binary `DENORT_BIN` points to. Before compiling, a tiny
 * probe compile finds out whether the runtime can be had, with a time limit, so a machine that
 * cannot reach dl.deno.land gets one clear message instead of seven stack traces or a hang.
 *
 * Usage: deno run -A scripts/build.ts [--target <triple>] [--out dist] [--download-timeout 120]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

/** The project root (the folder of deno.json). */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** Targets `deno compile --target` accepts. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/**
 * V8 flags every service runs with, compiled into the binaries (`deno compile --v8-flags`) and
 * given to `deno run` by scripts/service_process.ts (demo, benchmarks, process tests).
 *
 * `--max-semi-space-size=2` (MiB) caps V8's young generation: by default it grows to 16 MiB per
 * semi-space while the modules load at start and stays committed, ~15–20 MiB of idle RSS for
 * nothing (e.g. the notifier 134 → 114 MiB). 1 MiB saved about as much but cost ~15 % on an
 * allocation-heavy parse-and-format loop; 2 MiB measured the same as the default there.
 */
export const SERVICE_V8_FLAGS: readonly string[] = ["--max-semi-space-size=2"];

/** Files embedded in every binary: the gRPC contract is loaded at run time. */
export const INCLUDES: readonly string[] = ["protos"];

/** One binary: its name in dist/, its entry point, the permissions baked into it. */
export interface ExecutableSpec {
  readonly name: string;
  /** Relative to the project root. */
  readonly entry: string;
  readonly permissions: readonly string[];
}

// The gRPC servers and the CLI load grpc-health-check and proto-loader at start: they need read
// access and --allow-sys=uid,gid (without it they wrongly report a missing .proto). kafkajs
// reads the environment at load time. Reading files embedded with --include needs --allow-read
// in a compiled binary (the npm packages' files are granted implicitly).
const _BASE = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys=uid,gid"];

/** The six services, in the order they are built. */
export const SERVICE_EXECUTABLES: readonly ExecutableSpec[] = [
  { name: "command", entry: "executables/command_server.ts", permissions: _BASE },
  { name: "query", entry: "executables/query_server.ts", permissions: _BASE },
  { name: "collector", entry: "executables/collector.ts", permissions: _BASE },
  { name: "alert-system", entry: "executables/alert_system.ts", permissions: _BASE },
  // nodemailer asks for the host name (the SMTP greeting).
  {
    name: "notifier",
    entry: "executables/notifier.ts",
    permissions: ["--allow-net", "--allow-env", "--allow-read", "--allow-sys=uid,gid,hostname"],
  },
  { name: "kafka-admin", entry: "executables/kafka_admin.ts", permissions: _BASE },
];

/**
 * The user CLI, a gRPC client. It needs the services' base:
 * net for any service address, env as a whole (the address variables, and grpc-js and kafkajs
 * read theirs at load time), read for the embedded protos, uid/gid for proto-loader.
 */
export const CLI_EXECUTABLE: ExecutableSpec = {
  name: "tickerwatch",
  entry: "executables/cli.ts",
  permissions: _BASE,
};

/** Every binary, in the order they are built: the six services, then the CLI. */
export const EXECUTABLES: readonly ExecutableSpec[] = [...SERVICE_EXECUTABLES, CLI_EXECUTABLE];

const USAGE = `build: compile tickerwatch's six services and its CLI with deno compile

usage: deno run -A scripts/build.ts [--target <triple>] [--out <dir>] [--download-timeout <s>]

  --target T            ${TARGETS.join(", ")}
                        (default: this machine, ${Deno.build.target})
  --out DIR             where the binaries go (default dist)
  --download-timeout S  how long the download of Deno's runtime may take (default 120)
  --help, -h            print this text

binaries: ${EXECUTABLES.map((e) => `${e.name} (${e.entry})`).join(", ")}

deno compile needs Deno's runtime, denort ${Deno.version.deno} for the target. It downloads it
from dl.deno.land and caches it in DENO_DIR, or uses the file DENORT_BIN names:
  DENORT_BIN=/path/to/denort deno run -A scripts/build.ts
(denort-<target>.zip from https://github.com/denoland/deno/releases/tag/v${Deno.version.deno},
unzipped; it must match this Deno's version and the target).

exit codes: 0 built, 1 build failed or the runtime is not available, 2 usage error`;

class _UsageError extends Error {
  override name = "UsageError";
}

/** Why the runtime probe failed, as one message. */
class RuntimeUnavailableError extends Error {
  override name = "RuntimeUnavailableError";
}

interface _Options {
  target: string;
  out: string;
  downloadTimeoutMs: number;
}

function _parse(args: string[]): _Options | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        target: { type: "string" },
        out: { type: "string" },
        "download-timeout": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new _UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const target = values.target ?? Deno.build.target;
  if (!TARGETS.includes(target)) {
    throw new _UsageError(`--target must be one of ${TARGETS.join(", ")}; got "${target}"`);
  }
  const timeout = Number(values["download-timeout"] ?? 120);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new _UsageError(
      `--download-timeout must be a positive number of seconds; got "${
        values["download-timeout"]
      }"`,
    );
  }
  const out = values.out ?? "dist";
  if (out.trim() === "") throw new _UsageError("--out must not be empty");
  return { target, out, downloadTimeoutMs: timeout * 1000 };
}

/** The release archive deno compile would download for `target`. */
function _denortUrl(target: string): string {
  return `https://dl.deno.land/release/v${Deno.version.deno}/denort-${target}.zip`;
}

function _howToFix(target: string): string {
  return `Set DENORT_BIN to a denort ${Deno.version.deno} binary for ${target} ` +
    `(denort-${target}.zip from https://github.com/denoland/deno/releases/tag/` +
    `v${Deno.version.deno}, unzipped) and run again, or build where dl.deno.land is reachable ` +
    `(e.g. the Dockerfile's build stage).`;
}

/** Checks DENORT_BIN, if set, before anything is compiled. */
async function _checkDenortBin(path: string, target: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new RuntimeUnavailableError(
      `DENORT_BIN is ${path}, which does not exist. ${_howToFix(target)} ` +
        `Unset DENORT_BIN to let deno compile download the runtime.`,
    );
  }
  if (!info.isFile) {
    throw new RuntimeUnavailableError(
      `DENORT_BIN is ${path}, which is not a file. ${_howToFix(target)}`,
    );
  }
}

/** The numbered "Caused by" lines of a deno error, innermost last. */
function _causes(stderr: string): string[] {
  const start = stderr.indexOf("Caused by:");
  if (start < 0) return [];
  const end = stderr.indexOf("Stack backtrace:", start);
  const section = stderr.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\s+\d+: (.+)$/gm)].map((m) => m[1]!.trim());
}

/** Turns a failed compile's stderr into one message when the runtime was the problem. */
export function runtimeFailure(stderr: string, target: string): string | undefined {
  const missing = /Could not find denort at '([^']+)'/.exec(stderr);
  if (missing) {
    return `deno compile cannot read DENORT_BIN (${missing[1]}). ${_howToFix(target)}`;
  }
  const request = /error sending request for url \(([^)]+)\)/.exec(stderr);
  if (request || /Setting up base binary/.test(stderr)) {
    const causes = _causes(stderr);
    // e.g. "dns error: failed to lookup address information: Name or service not known"
    const root = causes.length >= 2
      ? `${causes.at(-2)}: ${causes.at(-1)}`
      : causes.at(-1) ?? "unknown error";
    const url = request?.[1] ?? _denortUrl(target);
    return `deno compile cannot get its runtime: downloading ${url} failed (${root}). ` +
      _howToFix(target);
  }
  return undefined;
}

/**
 * Compiles a one-line program for `target`: this fetches denort (or reads DENORT_BIN) and
 * nothing else, within `timeoutMs`. Deno caches the download, so the real builds reuse it.
 *
 * @throws {RuntimeUnavailableError} when the runtime cannot be had
 */
async function _probeRuntime(target: string, timeoutMs: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tickerwatch-build-probe-" });
  try {
    await Deno.writeTextFile(`${dir}/probe.ts`, "console.log('probe');\n");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["compile", "--no-config", "--target", target, "--output", `${dir}/probe`, "probe.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, timeoutMs);
    const [status, , stderrBytes] = await Promise.all([
      child.status,
      new Response(child.stdout).arrayBuffer(),
      new Response(child.stderr).arrayBuffer(),
    ]);
    clearTimeout(timer);
    const stderr = new TextDecoder().decode(stderrBytes);
    if (timedOut) {
      const via = Deno.env.get("DENORT_BIN")
        ? `reading DENORT_BIN (${Deno.env.get("DENORT_BIN")})`
        : `downloading ${_denortUrl(target)}`;
      throw new RuntimeUnavailableError(
        `deno compile cannot get its runtime: ${via} did not finish within ` +
          `${timeoutMs / 1000} s. ${_howToFix(target)}`,
      );
    }
    if (!status.success) {
      const message = runtimeFailure(stderr, target) ??
        `deno compile of a one-line probe failed:\n${stderr.trim()}`;
      throw new RuntimeUnavailableError(message);
    }
    // deno compile accepts any file as DENORT_BIN; run the probe to know it is a working denort.
    if (target === Deno.build.target) await _runProbe(`${dir}/probe`, target);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function _runProbe(path: string, target: string): Promise<void> {
  const source = Deno.env.get("DENORT_BIN")
    ? `DENORT_BIN (${Deno.env.get("DENORT_BIN")})`
    : "the downloaded denort";
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(path, {
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
  } catch (err) {
    throw new RuntimeUnavailableError(
      `${source} is not a working denort: a compiled probe did not run ` +
        `(${(err as Error).message}). ${_howToFix(target)}`,
    );
  }
  const printed = new TextDecoder().decode(result.stdout).trim();
  // deno-lint-ignore no-control-regex -- strips terminal colour codes
  const firstLine = printed.split("\n")[0]!.replaceAll(/\x1b\[[0-9;]*m/g, "");
  if (!result.success || printed !== "probe") {
    throw new RuntimeUnavailableError(
      `${source} is not a working denort: a compiled probe exited ${result.code} and printed ` +
        `${JSON.stringify(firstLine.slice(0, 80))} instead of "probe". ${_howToFix(target)}`,
    );
  }
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The executables whose entry point exists, and those still missing. */
export async function entryPoints(): Promise<
  { present: ExecutableSpec[]; missing: ExecutableSpec[] }
> {
  const present: ExecutableSpec[] = [];
  const missing: ExecutableSpec[] = [];
  for (const spec of EXECUTABLES) {
    (await _exists(`${ROOT}${spec.entry}`) ? present : missing).push(spec);
  }
  return { present, missing };
}

/** The `deno compile` arguments of one executable. */
export function compileArgs(spec: ExecutableSpec, target: string, out: string): string[] {
  return [
    "compile",
    ...spec.permissions,
    `--v8-flags=${SERVICE_V8_FLAGS.join(",")}`,
    ...INCLUDES.flatMap((path) => ["--include", path]),
    "--target",
    target,
    "--output",
    `${out}/${spec.name}`,
    spec.entry,
  ];
}

async function _compile(spec: ExecutableSpec, options: _Options): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(spec, options.target, options.out),
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  if (code !== 0) {
    const runtime = runtimeFailure(text, options.target);
    if (runtime) throw new RuntimeUnavailableError(runtime);
    throw new Error(`deno compile of ${spec.entry} failed (exit ${code}):\n${text.trim()}`);
  }
}

function _size(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Runs the build; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  let options: _Options;
  try {
    const parsed = _parse(args);
    if (parsed === "help") {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (!(err instanceof _UsageError)) throw err;
    console.error(`build: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  // deno compile takes an empty DENORT_BIN as a path; here empty means unset.
  if (Deno.env.get("DENORT_BIN") === "") Deno.env.delete("DENORT_BIN");
  const { present, missing } = await entryPoints();
  if (present.length === 0) {
    console.error(
      `build: none of the ${EXECUTABLES.length} entry points exists under executables/`,
    );
    return 1;
  }
  try {
    const denortBin = Deno.env.get("DENORT_BIN");
    if (denortBin) await _checkDenortBin(denortBin, options.target);
    console.error(
      `build: checking that deno compile can get denort ${Deno.version.deno} for ` +
        `${options.target} (${denortBin ? `DENORT_BIN=${denortBin}` : "download"})`,
    );
    await _probeRuntime(options.target, options.downloadTimeoutMs);

    const outDir = options.out.startsWith("/") ? options.out : `${ROOT}${options.out}`;
    await Deno.mkdir(outDir, { recursive: true });
    for (const spec of present) {
      const started = performance.now();
      await _compile(spec, { ...options, out: outDir });
      const file = `${outDir}/${spec.name}${options.target.includes("windows") ? ".exe" : ""}`;
      const size = (await Deno.stat(file)).size;
      console.error(
        `build: ${options.out}/${spec.name} (${_size(size)}, ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s) ← ${spec.entry}`,
      );
    }
  } catch (err) {
    if (err instanceof RuntimeUnavailableError) {
      console.error(`build: ${err.message}`);
      return 1;
    }
    console.error(`build: ${(err as Error).message}`);
    return 1;
  }
  if (missing.length > 0) {
    console.error(
      `build: not built, entry point missing: ` +
        missing.map((s) => `${s.name} (${s.entry})`).join(", "),
    );
  }
  console.error(`build: ${present.length} of ${EXECUTABLES.length} binaries in ${options.out}/`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
