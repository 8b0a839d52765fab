/**
 * What the demo prints when something fails: which service, its last error line in plain words
 * and where its full log is.
 */

/** A failure of the demo, attributed to one service (or "kafka", "smtp catcher", …). */
export class DemoFailure extends Error {
  override readonly name = "DemoFailure";
  /** The service that failed. */
  readonly service: string;
  /** Its last error line, in plain words, when it logged one. */
  readonly lastError: string | undefined;
  /** Where its full log is. */
  readonly logFile: string | undefined;

  /**
   * @param service the failing service
   * @param what what went wrong, e.g. "did not become ready within 20 s"
   */
  constructor(
    service: string,
    what: string,
    options: { lastError?: string | undefined; logFile?: string | undefined; cause?: unknown } = {},
  ) {
    super(`${service} ${what}`, { cause: options.cause });
    this.service = service;
    this.lastError = options.lastError;
    this.logFile = options.logFile;
  }

  /** The short summary: the failure, its last error line, where the log is. */
  summary(): string {
    return [
      `demo failed: ${this.message}`,
      ...(this.lastError ? [`  last error: ${this.lastError}`] : []),
      ...(this.logFile ? [`  full log:   ${this.logFile}`] : []),
    ].join("\n");
  }
}

/**
 * The last error of a service's log, in plain words: its JSON lines' `msg` and error message
 * (the last `error` line, else the last `warn` line) or a plain line such as Deno's
 * "error: Uncaught …" or "notifier: configuration error: …", whichever came last.
 */
export function lastErrorLine(lines: readonly string[]): string | undefined {
  let warn: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let parsed: { level?: unknown; msg?: unknown; err?: { message?: unknown } } | undefined;
    try {
      const value = JSON.parse(line);
      if (value && typeof value === "object") parsed = value;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      if (/\berror\b|exception|panicked/i.test(line)) return line.replace(/^error:\s*/i, "");
      continue;
    }
    const text = [parsed.msg, parsed.err?.message].filter((s) => typeof s === "string" && s)
      .join(": ");
    if (parsed.level === "error" && text) return text;
    if (parsed.level === "warn" && text) warn ??= text;
  }
  return warn;
}
