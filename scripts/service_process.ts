/**
 * Runs tickerwatch executables as child processes (`deno run -A executables/<name>.ts`) and reads
 * their JSON log lines: used by the demo, the benchmarks and the process-level tests.
 */
import { fileURLToPath } from "node:url";

/**
 * Absolute path of an executable's entry point, e.g. `entry("command_server")`; a name ending
 * in `.ts` is a script's path already (e.g. a test's harness) and is returned as it is.
 */
export function entry(name: string): string {
  if (name.endsWith(".ts")) return name;
  return fileURLToPath(new URL(`../executables/${name}.ts`, import.meta.url));
}

/** A service started as its own process with `deno run`, its log lines collected. */
export class ServiceProcess {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<Deno.CommandStatus>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  /** The service's log lines parsed as JSON (lines that are not JSON are skipped). */
  onLine: ((line: string) => void) | undefined;

  constructor(name: string, env: Record<string, string>, args: string[] = []) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", entry(name), ...args],
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#collect(this.child.stdout);
    this.#collect(this.child.stderr);
    this.exited = this.child.status;
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        this.lines.push(line);
        this.onLine?.(line);
        this.#waiters = this.#waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
      }
    }
    if (buffer) this.lines.push(buffer);
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

/** Runs `deno run -A <entry> args` to completion and returns its code and output. */
export async function runToEnd(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry(name), ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
