/** Turns the CLI's arguments and address variables into one checked invocation. */
import { parseArgs } from "node:util";
import { ConfigError, type Env, EnvReader, parseHostPort } from "../config/env.ts";
import {
  CLI_COMMANDS,
  type CliCommand,
  type CliCommandName,
  isCliCommandName,
} from "./cli_commands.ts";
import {
  CA_FILE_ENV,
  CERT_ENV,
  CLI_COMMAND_FLAGS,
  CLI_FLAGS,
  COMMAND_ADDR_ENV,
  DEFAULT_COMMAND_ADDR,
  DEFAULT_QUERY_ADDR,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_S,
  KEY_ENV,
  QUERY_ADDR_ENV,
  SERVER_NAME_ENV,
  TOKEN_ENV,
} from "./cli_flags.ts";
import { cliCommandUsage, cliUsage } from "./cli_usage.ts";
import { CliUsageError } from "./cli_usage_error.ts";

/** One command to run, with every value checked. */
export interface CliInvocation {
  readonly name: CliCommandName;
  readonly email: string;
  readonly ticker: string | undefined;
  readonly high: number | undefined;
  readonly low: number | undefined;
  readonly clearHigh: boolean;
  readonly clearLow: boolean;
  readonly count: number | undefined;
  /** `--request-id`, or a new UUID. */
  readonly requestId: string;
  /** Whether the request id is a new UUID (the CLI prints it). */
  readonly requestIdGenerated: boolean;
  readonly commandAddr: string;
  readonly queryAddr: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly json: boolean;
  /** `--token` or `TICKERWATCH_TOKEN(_FILE)`: sent as `authorization: Bearer …`. */
  readonly token?: string | undefined;
  /** TLS files; null or absent for plaintext. */
  readonly tls?: CliTls | null | undefined;
}

/** How the CLI speaks TLS: the CA to trust (system CAs when absent), a client certificate. */
export interface CliTls {
  /** `--ca-file` or `TICKERWATCH_CA_FILE`. */
  readonly caFile: string | undefined;
  /** `--cert` or `TICKERWATCH_CERT`. */
  readonly certFile: string | undefined;
  /** `--key` or `TICKERWATCH_KEY`. */
  readonly keyFile: string | undefined;
  /** `--server-name` or `TICKERWATCH_SERVER_NAME`: the name to verify instead of the host. */
  readonly serverName: string | undefined;
}

/** What the arguments ask for: a text to print (help, version) or a command to run. */
export type CliRequest =
  | { readonly kind: "print"; readonly text: string }
  | { readonly kind: "run"; readonly invocation: CliInvocation };

/** The flag table as `parseArgs` options: a type, and a short alias where there is one. */
const _OPTIONS = Object.fromEntries(
  Object.entries(CLI_FLAGS).map(([name, flag]) => [
    name,
    "short" in flag ? { type: flag.type, short: flag.short } : { type: flag.type },
  ]),
) as { readonly [K in keyof typeof CLI_FLAGS]: { type: (typeof CLI_FLAGS)[K]["type"] } };

/**
 * Parses the CLI's arguments; the address variables come from `env`.
 *
 * @param version printed by `--version`
 * @throws {CliUsageError} naming what is wrong
 * @example
 * ```ts
 * const r = parseCliArgs(["latest", "--email", "ada@example.com"], {}, "0.1.0");
 * if (r.kind === "run") r.invocation.queryAddr; // "127.0.0.1:50052"
 * ```
 */
export function parseCliArgs(args: readonly string[], env: Env, version: string): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: _OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const command = args.find(isCliCommandName);
    throw new CliUsageError((err as Error).message, { command, cause: err });
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (values.version) return { kind: "print", text: `tickerwatch cli ${version}` };
  if (first === undefined || first === "help") {
    if (values.help || first === "help") {
      const topic = rest[0];
      return { kind: "print", text: isCliCommandName(topic) ? cliCommandUsage(topic) : cliUsage() };
    }
    throw new CliUsageError("missing command");
  }
  if (!isCliCommandName(first)) throw new CliUsageError(`unknown command "${first}"`);
  const name = first;
  const fail = (message: string) => new CliUsageError(message, { command: name });
  if (values.help) return { kind: "print", text: cliCommandUsage(name) };
  if (rest.length > 0) throw fail(`unexpected argument "${rest[0]}"`);

  const spec: CliCommand = CLI_COMMANDS[name];
  for (const flag of CLI_COMMAND_FLAGS) {
    if (values[flag] !== undefined && !spec.flags.includes(flag)) {
      throw fail(`${name} does not take --${flag}`);
    }
  }
  for (const flag of spec.required) {
    if (values[flag] === undefined) throw fail(`${name} needs --${flag}`);
  }
  const given = values["request-id"];
  if (given !== undefined && given.trim() === "") throw fail("--request-id must not be empty");

  return {
    kind: "run",
    invocation: {
      name,
      email: values.email!,
      ticker: values.ticker,
      high: _number(values.high, "--high", name),
      low: _number(values.low, "--low", name),
      clearHigh: values["clear-high"] ?? false,
      clearLow: values["clear-low"] ?? false,
      count: _integer(values.count, "--count", name),
      requestId: given ?? crypto.randomUUID(),
      requestIdGenerated: given === undefined,
      commandAddr: _address(
        values["command-addr"],
        { flag: "--command-addr", variable: COMMAND_ADDR_ENV, fallback: DEFAULT_COMMAND_ADDR },
        env,
        name,
      ),
      queryAddr: _address(
        values["query-addr"],
        { flag: "--query-addr", variable: QUERY_ADDR_ENV, fallback: DEFAULT_QUERY_ADDR },
        env,
        name,
      ),
      timeoutMs: _timeoutMs(values.timeout, name),
      retries: _integer(values.retries, "--retries", name, 0) ?? DEFAULT_RETRIES,
      json: values.json ?? false,
      token: _token(values.token, env, name),
      tls: _tls(values, env, name),
    },
  };
}

function _token(fromFlag: string | undefined, env: Env, command: CliCommandName) {
  let token: string | undefined;
  try {
    token = fromFlag ?? new EnvReader(env).secret(TOKEN_ENV);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliUsageError(err.message, { command, cause: err });
    throw err;
  }
  if (token !== undefined && (token.trim() === "" || /\s/.test(token.trim()))) {
    throw new CliUsageError("--token must be one word without spaces", { command });
  }
  return token?.trim();
}

function _tls(
  values: {
    tls?: boolean;
    "ca-file"?: string;
    cert?: string;
    key?: string;
    "server-name"?: string;
  },
  env: Env,
  command: CliCommandName,
): CliTls | null {
  const pick = (v: string | undefined, variable: string) => v ?? (env[variable] || undefined);
  const caFile = pick(values["ca-file"], CA_FILE_ENV);
  const certFile = pick(values.cert, CERT_ENV);
  const keyFile = pick(values.key, KEY_ENV);
  const serverName = pick(values["server-name"], SERVER_NAME_ENV);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CliUsageError("--cert and --key go together", { command });
  }
  const on = values.tls === true || caFile !== undefined || certFile !== undefined;
  if (!on) {
    if (serverName !== undefined) {
      throw new CliUsageError("--server-name needs TLS (--tls or --ca-file)", { command });
    }
    return null;
  }
  return { caFile, certFile, keyFile, serverName };
}

function _number(raw: string | undefined, flag: string, command: CliCommandName) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) {
    throw new CliUsageError(`${flag} must be a number, got "${raw}"`, { command });
  }
  return n;
}

function _integer(
  raw: string | undefined,
  flag: string,
  command: CliCommandName,
  min = -(2 ** 31),
) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || n < min || n > 2 ** 31 - 1) {
    const bound = min === 0 ? " ≥ 0" : "";
    throw new CliUsageError(`${flag} must be a whole number${bound}, got "${raw}"`, { command });
  }
  return n;
}

function _timeoutMs(raw: string | undefined, command: CliCommandName): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const s = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(s) || s <= 0) {
    throw new CliUsageError(
      `--timeout must be a positive number of seconds, got "${raw}"`,
      { command },
    );
  }
  return Math.round(s * 1000);
}

/**
 * A service address: the flag wins over the variable, an empty variable counts as unset. The
 * config module parses it; port 0 (any port, for a listener) cannot be dialled.
 */
function _address(
  fromFlag: string | undefined,
  source: { flag: string; variable: string; fallback: string },
  env: Env,
  command: CliCommandName,
): string {
  const raw = fromFlag ?? (env[source.variable] || source.fallback);
  const named = fromFlag !== undefined ? source.flag : source.variable;
  const invalid = (cause?: unknown) =>
    new CliUsageError(`${named} must be host:port, got "${raw}"`, { command, cause });
  let port: number;
  try {
    port = parseHostPort(raw, named).port;
  } catch (err) {
    if (err instanceof ConfigError) throw invalid(err);
    throw err;
  }
  if (port < 1) throw invalid();
  return raw;
}
