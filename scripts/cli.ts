/**
 * tickerwatch CLI for users: register, login, update, delete, latest, average over gRPC.
 *
 * `deno run -A scripts/cli.ts <command> [flags]`; `--help` lists commands and flags. Exit codes:
 * 0 ok, 1 the service said no (its message is printed), 2 usage error, 3 unavailable after retries.
 */
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { type CallResult, UserClient } from "../core/grpc/user_client.ts";

/** Exit codes of the CLI. */
export const EXIT = { OK: 0, REFUSED: 1, USAGE: 2, UNAVAILABLE: 3 } as const;

const DEFAULT_COMMAND_ADDR = "127.0.0.1:50051";
const DEFAULT_QUERY_ADDR = "127.0.0.1:50052";
const DEFAULT_TIMEOUT_S = 5;
const DEFAULT_RETRIES = 5;

type _Name = "register" | "login" | "update" | "delete" | "latest" | "average";
type _Flag =
  | "email"
  | "ticker"
  | "high"
  | "low"
  | "clear-high"
  | "clear-low"
  | "count"
  | "request-id";

interface _CommandSpec {
  summary: string;
  synopsis: string;
  flags: readonly _Flag[];
  required: readonly _Flag[];
  /** Served by the command service (takes a request id) or the query service. */
  service: "command" | "query";
}

const COMMANDS: Record<_Name, _CommandSpec> = {
  register: {
    summary: "subscribe an email to alerts on one ticker",
    synopsis: "register --email E --ticker T [--high N] [--low N]",
    flags: ["email", "ticker", "high", "low", "request-id"],
    required: ["email", "ticker"],
    service: "command",
  },
  login: {
    summary: "check that an email is registered",
    synopsis: "login --email E",
    flags: ["email", "request-id"],
    required: ["email"],
    service: "command",
  },
  update: {
    summary: "change the ticker or thresholds; what is left out stays",
    synopsis: "update --email E [--ticker T] [--high N | --clear-high] [--low N | --clear-low]",
    flags: ["email", "ticker", "high", "low", "clear-high", "clear-low", "request-id"],
    required: ["email"],
    service: "command",
  },
  delete: {
    summary: "unsubscribe an email",
    synopsis: "delete --email E",
    flags: ["email", "request-id"],
    required: ["email"],
    service: "command",
  },
  latest: {
    summary: "the latest price of the user's ticker",
    synopsis: "latest --email E",
    flags: ["email"],
    required: ["email"],
    service: "query",
  },
  average: {
    summary: "the average of the user's ticker over its last N prices",
    synopsis: "average --email E --count N",
    flags: ["email", "count"],
    required: ["email", "count"],
    service: "query",
  },
};

const FLAG_HELP: Record<_Flag, string> = {
  email: "--email E          the user's email address",
  ticker: "--ticker T         ticker symbol, e.g. AAPL, BRK-B, EURUSD=X, BTC-USD",
  high: "--high N           alert when the price rises above N",
  low: "--low N            alert when the price falls below N",
  "clear-high": "--clear-high       remove the high threshold",
  "clear-low": "--clear-low        remove the low threshold",
  count: "--count N          how many of the latest prices to average (1-10000)",
  "request-id": "--request-id ID    idempotency key (default: a new UUID, printed); reuse it to\n" +
    "                     retry a command safely: it runs at most once",
};

const COMMON_HELP = `common flags:
  --command-addr H:P   command service (env TICKERWATCH_COMMAND_ADDR, default ${DEFAULT_COMMAND_ADDR})
  --query-addr H:P     query service (env TICKERWATCH_QUERY_ADDR, default ${DEFAULT_QUERY_ADDR})
  --timeout S          deadline of each attempt in seconds (default ${DEFAULT_TIMEOUT_S})
  --retries N          retries on UNAVAILABLE and DEADLINE_EXCEEDED, with exponential backoff
                       and jitter, same request id every time (default ${DEFAULT_RETRIES})
  --json               print one JSON object: code, message, response, request_id, attempts
  --help, -h           print help (also: <command> --help)

exit codes: 0 ok, 1 the service said no (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, ...),
            2 usage error, 3 service unavailable after the retries`;

/** The global usage text. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, spec]) =>
    `  ${name.padEnd(width)}  ${spec.summary}`
  );
  return `tickerwatch CLI: manage price alerts over gRPC

usage: deno task cli <command> [flags]

commands:
${lines.join("\n")}

${COMMON_HELP}

examples:
  deno task cli register --email ada@example.com --ticker AAPL --high 200 --low 150
  deno task cli latest --email ada@example.com
  deno task cli average --email ada@example.com --count 10 --json`;
}

/** The usage text of one command. */
export function commandUsage(name: _Name): string {
  const spec = COMMANDS[name];
  return `tickerwatch CLI ${name}: ${spec.summary}

usage: deno task cli ${spec.synopsis}

flags:
${spec.flags.map((f) => `  ${FLAG_HELP[f]}`).join("\n")}

${COMMON_HELP}`;
}

class _UsageError extends Error {
  constructor(message: string, readonly command?: _Name) {
    super(message);
    this.name = "UsageError";
  }
}

interface _Invocation {
  name: _Name;
  email: string;
  ticker?: string | undefined;
  high?: number | undefined;
  low?: number | undefined;
  clearHigh: boolean;
  clearLow: boolean;
  count?: number | undefined;
  requestId: string;
  requestIdGenerated: boolean;
  commandAddr: string;
  queryAddr: string;
  timeoutMs: number;
  retries: number;
  json: boolean;
}

const OPTIONS = {
  email: { type: "string" },
  ticker: { type: "string" },
  high: { type: "string" },
  low: { type: "string" },
  "clear-high": { type: "boolean" },
  "clear-low": { type: "boolean" },
  count: { type: "string" },
  "request-id": { type: "string" },
  "command-addr": { type: "string" },
  "query-addr": { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type _Parsed =
  | { kind: "help"; text: string }
  | { kind: "run"; invocation: _Invocation };

/** Parses the arguments; throws a usage error naming what is wrong. */
function _parse(args: string[], env: Record<string, string | undefined>): _Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const name = args.find((a) => a in COMMANDS) as _Name | undefined;
    throw new _UsageError((err as Error).message, name);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (first === undefined || first === "help") {
    if (values.help || first === "help") {
      const topic = rest[0];
      if (topic && topic in COMMANDS) return { kind: "help", text: commandUsage(topic as _Name) };
      return { kind: "help", text: usage() };
    }
    throw new _UsageError("missing command");
  }
  if (!(first in COMMANDS)) throw new _UsageError(`unknown command "${first}"`);
  const name = first as _Name;
  if (values.help) return { kind: "help", text: commandUsage(name) };
  if (rest.length > 0) throw new _UsageError(`unexpected argument "${rest[0]}"`, name);

  const spec = COMMANDS[name];
  for (const flag of _commandFlags(values)) {
    if (!spec.flags.includes(flag)) throw new _UsageError(`${name} does not take --${flag}`, name);
  }
  for (const flag of spec.required) {
    if (values[flag] === undefined) throw new _UsageError(`${name} needs --${flag}`, name);
  }
  const email = values.email!;
  const given = values["request-id"];
  if (given !== undefined && given.trim() === "") {
    throw new _UsageError("--request-id must not be empty", name);
  }
  return {
    kind: "run",
    invocation: {
      name,
      email,
      ticker: values.ticker,
      high: _number(values.high, "--high", name),
      low: _number(values.low, "--low", name),
      clearHigh: values["clear-high"] ?? false,
      clearLow: values["clear-low"] ?? false,
      count: _integer(values.count, "--count", name),
      requestId: given ?? crypto.randomUUID(),
      requestIdGenerated: given === undefined,
      commandAddr: _address(
        values["command-addr"] ?? (env.TICKERWATCH_COMMAND_ADDR || DEFAULT_COMMAND_ADDR),
        values["command-addr"] !== undefined ? "--command-addr" : "TICKERWATCH_COMMAND_ADDR",
        name,
      ),
      queryAddr: _address(
        values["query-addr"] ?? (env.TICKERWATCH_QUERY_ADDR || DEFAULT_QUERY_ADDR),
        values["query-addr"] !== undefined ? "--query-addr" : "TICKERWATCH_QUERY_ADDR",
        name,
      ),
      timeoutMs: _timeoutMs(values.timeout, name),
      retries: _integer(values.retries, "--retries", name, 0) ?? DEFAULT_RETRIES,
      json: values.json ?? false,
    },
  };
}

function _commandFlags(values: Record<string, unknown>): _Flag[] {
  const all: _Flag[] = [
    "email",
    "ticker",
    "high",
    "low",
    "clear-high",
    "clear-low",
    "count",
    "request-id",
  ];
  return all.filter((f) => values[f] !== undefined);
}

function _number(raw: string | undefined, flag: string, name: _Name): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) {
    throw new _UsageError(`${flag} must be a number, got "${raw}"`, name);
  }
  return n;
}

function _integer(
  raw: string | undefined,
  flag: string,
  name: _Name,
  min = -(2 ** 31),
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || n < min || n > 2 ** 31 - 1) {
    throw new _UsageError(
      min === 0
        ? `${flag} must be a whole number ≥ 0, got "${raw}"`
        : `${flag} must be a whole number, got "${raw}"`,
      name,
    );
  }
  return n;
}

function _timeoutMs(raw: string | undefined, name: _Name): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const s = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(s) || s <= 0) {
    throw new _UsageError(`--timeout must be a positive number of seconds, got "${raw}"`, name);
  }
  return Math.round(s * 1000);
}

function _address(raw: string, source: string, name: _Name): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) {
    throw new _UsageError(`${source} must be host:port, got "${raw}"`, name);
  }
  return raw;
}

/** grpc-js channel errors end in an empty "Resolution note: "; drop it. */
function _tidy(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, "");
}

/** The status name of a gRPC code, e.g. "NOT_FOUND". */
function _codeName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

async function _run(inv: _Invocation): Promise<number> {
  const out = (line: string) => console.log(line);
  const note = (line: string) => console.error(line);
  const isCommand = COMMANDS[inv.name].service === "command";
  if (isCommand && inv.requestIdGenerated && !inv.json) note(`request id ${inv.requestId}`);

  const client = new UserClient({
    commandAddr: inv.commandAddr,
    queryAddr: inv.queryAddr,
    timeoutMs: inv.timeoutMs,
    retries: inv.retries,
    onRetry: ({ attempt, waitMs, code, message }) =>
      note(
        `… ${_codeName(code)} (attempt ${attempt} of ${inv.retries + 1}): ${_tidy(message)}; ` +
          `retrying in ${(waitMs / 1000).toFixed(1)} s`,
      ),
  });
  let result: CallResult<Record<string, unknown>>;
  try {
    result = await _call(client, inv) as CallResult<Record<string, unknown>>;
  } finally {
    client.close();
  }
  if (!result.ok) result = { ...result, message: _tidy(result.message) };

  const addr = isCommand ? inv.commandAddr : inv.queryAddr;
  const unavailable = !result.ok &&
    (result.code === grpc.status.UNAVAILABLE || result.code === grpc.status.DEADLINE_EXCEEDED);
  if (inv.json) {
    const obj: Record<string, unknown> = {
      command: inv.name,
      code: _codeName(result.code),
      message: result.ok ? result.response.message ?? "" : result.message,
    };
    if (result.ok) obj.response = result.response;
    if (isCommand) obj.request_id = inv.requestId;
    obj.attempts = result.attempts;
    obj.address = addr;
    out(JSON.stringify(obj));
  } else if (result.ok) {
    out(_describe(inv, result.response));
  } else if (unavailable) {
    note(
      `✘ ${_codeName(result.code)}: ${result.message}\n` +
        `  the ${COMMANDS[inv.name].service} service at ${addr} did not answer after ` +
        `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}` +
        (isCommand ? `; retry with --request-id ${inv.requestId} (it runs at most once)` : ""),
    );
  } else {
    note(`✘ ${_codeName(result.code)}: ${result.message}`);
  }
  if (result.ok) return EXIT.OK;
  return unavailable ? EXIT.UNAVAILABLE : EXIT.REFUSED;
}

function _call(client: UserClient, inv: _Invocation): Promise<CallResult<unknown>> {
  const { email, requestId } = inv;
  switch (inv.name) {
    case "register":
      return client.register({
        email,
        ticker: inv.ticker!,
        requestId,
        highValue: inv.high,
        lowValue: inv.low,
      });
    case "login":
      return client.login({ email, requestId });
    case "update":
      return client.update({
        email,
        requestId,
        ticker: inv.ticker,
        highValue: inv.high,
        lowValue: inv.low,
        clearHigh: inv.clearHigh,
        clearLow: inv.clearLow,
      });
    case "delete":
      return client.delete({ email, requestId });
    case "latest":
      return client.latest({ email });
    case "average":
      return client.average({ email, count: inv.count! });
  }
}

/** One readable line for a successful answer. */
function _describe(inv: _Invocation, r: Record<string, unknown>): string {
  switch (inv.name) {
    case "latest":
      return `${r.ticker} ${_price(r.value)} at ${r.timestamp}`;
    case "average": {
      const n = Number(r.values_count);
      const fewer = n < inv.count! ? ` (only ${n} collected)` : "";
      return `${r.ticker} ${_price(r.average_value)} average of the last ${n} ` +
        `price${n === 1 ? "" : "s"}${fewer}`;
    }
    default:
      return `✔ ${r.message}`;
  }
}

function _price(v: unknown): string {
  const n = Number(v);
  // Two decimals for ordinary prices, more for small ones (currencies, fractions of a cent).
  return Math.abs(n) >= 1 ? n.toFixed(2) : String(Number(n.toPrecision(6)));
}

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(
  args: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<number> {
  let parsed: _Parsed;
  try {
    parsed = _parse(args, env);
  } catch (err) {
    if (!(err instanceof _UsageError)) throw err;
    const json = args.includes("--json");
    if (json) console.log(JSON.stringify({ code: "USAGE", message: err.message }));
    console.error(
      `error: ${err.message}\n\n${err.command ? commandUsage(err.command) : usage()}`,
    );
    return EXIT.USAGE;
  }
  if (parsed.kind === "help") {
    console.log(parsed.text);
    return EXIT.OK;
  }
  return await _run(parsed.invocation);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
