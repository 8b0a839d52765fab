/** Structured JSON logging: one object per line, the service name on every line. */

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const _RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra fields of a log line; values are serialised with JSON.stringify. */
export type LogFields = Record<string, unknown>;

/** A logger that writes one JSON object per line. */
export interface Logger {
  /** Writes a `debug` line: detail for troubleshooting, dropped at the default level. */
  debug(msg: string, fields?: LogFields): void;
  /** Writes an `info` line: normal progress (a cycle done, a server listening). */
  info(msg: string, fields?: LogFields): void;
  /** Writes a `warn` line: something went wrong and was handled (a retry, a skipped cycle). */
  warn(msg: string, fields?: LogFields): void;
  /** Writes an `error` line: a failure that needs attention. */
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (e.g. a component name). */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written; default "info". */
  level?: LogLevel;
  /** Where lines go; default stderr. */
  sink?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

const _encoder = new TextEncoder();
function _stderr(line: string): void {
  Deno.stderr.writeSync(_encoder.encode(line + "\n"));
}

/**
 * Creates a JSON logger for `service`. Errors in fields are written as `{name, message}`;
 * URLs with passwords should be passed through {@linkcode redactUrl} first.
 *
 * @example
 * ```ts
 * const log = createLogger("collector");
 * log.info("cycle done", { quotes: 12 });
 * // {"ts":"…","level":"info","service":"collector","msg":"cycle done","quotes":12}
 * ```
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const min = _RANK[options.level ?? "info"];
  const sink = options.sink ?? _stderr;
  const now = options.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (_RANK[level] < min) return;
      const line = { ts: now().toISOString(), level, service, msg, ...base, ...fields };
      sink(JSON.stringify(line, _replacer));
    };
    return {
      debug: (msg, fields) => write("debug", msg, fields),
      info: (msg, fields) => write("info", msg, fields),
      warn: (msg, fields) => write("warn", msg, fields),
      error: (msg, fields) => write("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

function _replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger("silent", { sink: () => {} });

/**
 * Replaces the password of a URL with `***` so it can be logged.
 *
 * @example
 * ```ts
 * redactUrl("mysql://root:secret@db:3306/x"); // "mysql://root:***@db:3306/x"
 * ```
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<unparseable url>";
  }
}
