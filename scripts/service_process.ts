/**
 * Runs tickerwatch executables as child processes (`deno run -A --v8-flags=…
 * executables/<name>.ts`, the flags of {@linkcode RUN_FLAGS}) and reads
 * their JSON log lines: used by the demo, the benchmarks and the process-level tests.
 */
import { fileURLToPath } from "node:url";
import { SERVICE_V8_FLAGS } from "./build.ts";

/** The `deno run` flags a service gets before its entry point: `-A` and its V8 flags. */
export const RUN_FLAGS: readonly string[] = runFlags();

/**
 * {@linkcode RUN_FLAGS} with `extra` flags added; V8 flags in `extra` (`--v8-flags=a,b`) join the
 * default ones in the one `--v8-flags` deno accepts, after them (so they win).
 */
export function runFlags(extra: readonly string[] = []): string[] {
  const v8 = [...SERVICE_V8_FLAGS];
  const other: string[] = [];
  for (const flag of extra) {
    if (flag.startsWith("--v8-flags=")) v8.push(...flag.slice("--v8-flags=".length).split(","));
    else other.push(flag);
  }
  return ["-A", `--v8-flags=${v8.join(",")}`, ...other];
}

/**
 * Absolute path of an executable's entry point, e.g. `entry("command_server")`; a name ending
 * in `.ts` is a script's path already (e.g. a test's harness) and is returned as it is.
 */
export function entry(name: string): string {
  if (name.endsWith(".ts")) return name;
  return fileURLToPath(new URL(`../executables/${name}.ts`, import.meta.url));
}

/** Options of {@linkcode ServiceProcess}. */
export interface ServiceProcessOptions {
  /** Also write every log line to this file (created or truncated). */
  logFile?: string;
  /**
   * Extra `deno run` flags (see {@linkcode runFlags}), e.g. `["--v8-flags=--single-threaded-gc"]`.
   */
  denoFlags?: string[];
}

/**
 * A service started as its own process with `deno run`, its log lines collected (and written to
 * `logFile` when given).
 */
export class ServiceProcess {
  /** The executable's name, e.g. "notifier". */
  readonly name: string;
  /** The file its log lines go to, if any. */
  readonly logFile: string | undefined;
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<Deno.CommandStatus>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  /** Called with each log line as it comes (JSON, or plain text such as a runtime warning). */
  onLine: ((line: string) => void) | undefined;

  constructor(
    name: string,
    env: Record<string, string>,
    args: string[] = [],
    { logFile, denoFlags = [] }: ServiceProcessOptions = {},
  ) {
    this.name = name;
    this.logFile = logFile;
    const log = logFile
      ? Deno.openSync(logFile, { write: true, create: true, truncate: true })
      : undefined;
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...runFlags(denoFlags), entry(name), ...args],
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const collected = [
      this.#collect(this.child.stdout, log),
      this.#collect(this.child.stderr, log),
    ];
    this.exited = this.child.status;
    if (log) Promise.allSettled(collected).then(() => log.close());
  }

  async #collect(stream: ReadableStream<Uint8Array>, log?: Deno.FsFile): Promise<void> {
    const encoder = new TextEncoder();
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        this.lines.push(line);
        log?.writeSync(encoder.encode(line + "\n"));
        try {
          this.onLine?.(line);
        } catch (err) {
          // A listener's bug must not stop the reading: the child would die on a closed pipe.
          console.error(`${this.name}: onLine failed on ${JSON.stringify(line)}: ${err}`);
        }
        this.#waiters = this.#waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
      }
    }
    if (buffer) {
      this.lines.push(buffer);
      log?.writeSync(encoder.encode(buffer + "\n"));
    }
  }

  /** Resolves with the first log line (past or future) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join("\n")}`,
            ),
          ),
        timeoutMs,
      );
      this.exited.then((s) =>
        setTimeout(
          () =>
            reject(
              new Error(`process exited (${s.code}) before ${pattern}:\n${this.lines.join("\n")}`),
            ),
          200,
        )
      );
      this.#waiters.push({
        test: (l) => pattern.test(l),
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** The gRPC port, read from the "grpc server listening" log line. */
  async grpcPort(): Promise<number> {
    const line = await this.waitForLine(/grpc server listening/);
    return JSON.parse(line).port;
  }

  /** Sends `signal` and waits for the exit status. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.child.kill(signal);
    } catch { /* already gone */ }
    return await this.exited;
  }
}

/** Runs `deno run <RUN_FLAGS> <entry> args` to completion and returns its code and output. */
export async function runToEnd(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_FLAGS, entry(name), ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
