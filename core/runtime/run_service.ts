import { ConfigError, type Env } from "../config/env.ts";
import { createLogger, type Logger, type LogLevel } from "../log/logger.ts";
import { onShutdownSignal } from "./shutdown.ts";

/** The tickerwatch version printed by `--version`. */
export const VERSION = "0.1.0";

/** Something started by {@linkcode runService} and stopped on SIGINT/SIGTERM. */
export interface Stoppable {
  /** Stops the service and releases what it holds; resolves when it has stopped. */
  stop(): Promise<void>;
  /**
   * Set by services that end by themselves (e.g. `--once`): resolves when the work is done,
   * rejects when it failed (exit 1).
   */
  done?: Promise<void>;
}

/** What an executable hands to {@linkcode runService}. */
export interface ServiceSpec<C extends { logLevel: LogLevel }> {
  /** Service name, on every log line, e.g. "command-server". */
  name: string;
  /** Usage text for `--help`. */
  usage: string;
  /**
   * The flags it accepts besides `--help` and `--version`, e.g. `["--once"]`; when given, any
   * other argument prints the usage and exits 2. Default: arguments are not checked.
   */
  flags?: readonly string[];
  /** Parses the environment; throws ConfigError. */
  loadConfig: (env: Env) => C;
  /** Starts the service; resolves once it is running. */
  start: (config: C, ctx: { logger: Logger; signal: AbortSignal; args: string[] }) => Promise<
    Stoppable
  >;
}

/**
 * The life of an executable: `--help`/`--version`, unknown flags (exit 2, when `spec.flags` is
 * set), configuration (a bad value prints one line naming the variable and exits 2), start, wait for SIGINT/SIGTERM, stop, exit 0. A failure to
 * start exits 1.
 */
export async function runService<C extends { logLevel: LogLevel }>(
  spec: ServiceSpec<C>,
  args: string[] = Deno.args,
): Promise<never> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(spec.usage.trim());
    Deno.exit(0);
  }
  if (args.includes("--version")) {
    console.log(`tickerwatch ${spec.name} ${VERSION}`);
    Deno.exit(0);
  }
  const unknown = spec.flags && args.find((a) => !spec.flags!.includes(a));
  if (unknown !== undefined) {
    console.error(`${spec.name}: unknown argument ${unknown}\n\n${spec.usage.trim()}`);
    Deno.exit(2);
  }
  let config: C;
  try {
    config = spec.loadConfig(Deno.env.toObject());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${spec.name}: configuration error: ${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
  const logger = createLogger(spec.name, { level: config.logLevel });
  const shutdown = onShutdownSignal();
  let service: Stoppable;
  try {
    service = await spec.start(config, { logger, signal: shutdown.signal, args });
  } catch (err) {
    if (shutdown.signal.aborted) {
      logger.info("stopped before start-up finished");
      Deno.exit(0);
    }
    logger.error("start-up failed", { err, stack: (err as Error)?.stack });
    Deno.exit(1);
  }
  let failed = false;
  const ended = await Promise.race([
    shutdown.requested,
    (service.done ?? new Promise<never>(() => {})).then(
      () => "done" as const,
      (err) => {
        failed = true;
        logger.error("failed", { err, stack: (err as Error)?.stack });
        return "done" as const;
      },
    ),
  ]);
  logger.info("shutting down", ended === "done" ? { reason: "work done" } : { signal: ended });
  try {
    await service.stop();
  } catch (err) {
    logger.error("shutdown failed", { err });
    Deno.exit(1);
  }
  Deno.exit(failed ? 1 : 0);
}

/** Usage text for a service: a description and its environment variables. */
export function usageOf(
  name: string,
  description: string,
  env: readonly string[],
  flags = "",
): string {
  return `tickerwatch ${name}: ${description}\n\nUsage: ${name} [--help] [--version]${
    flags ? ` ${flags}` : ""
  }\n\n` +
    `Configuration (environment variables; see README.md for defaults):\n` +
    env.map((v) => `  ${v}`).join("\n");
}
