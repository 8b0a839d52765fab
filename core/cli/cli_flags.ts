/** The CLI's flags: one table for parsing, validation and help. */

/** Where the command service is when neither `--command-addr` nor its variable says. */
export const DEFAULT_COMMAND_ADDR = "127.0.0.1:50051";
/** Where the query service is when neither `--query-addr` nor its variable says. */
export const DEFAULT_QUERY_ADDR = "127.0.0.1:50052";
/** The environment variable with the command service's `host:port`. */
export const COMMAND_ADDR_ENV = "TICKERWATCH_COMMAND_ADDR";
/** The environment variable with the query service's `host:port`. */
export const QUERY_ADDR_ENV = "TICKERWATCH_QUERY_ADDR";
/** The environment variable with the bearer token (or `TICKERWATCH_TOKEN_FILE`, a file with it). */
export const TOKEN_ENV = "TICKERWATCH_TOKEN";
/** The environment variable with the CA file to trust; setting it turns TLS on. */
export const CA_FILE_ENV = "TICKERWATCH_CA_FILE";
/** The environment variable with the client certificate file (mutual TLS). */
export const CERT_ENV = "TICKERWATCH_CERT";
/** The environment variable with the client certificate's key file. */
export const KEY_ENV = "TICKERWATCH_KEY";
/** The environment variable with the name the server's certificate must carry. */
export const SERVER_NAME_ENV = "TICKERWATCH_SERVER_NAME";
/** Deadline of each attempt in seconds when `--timeout` is not given. */
export const DEFAULT_TIMEOUT_S = 5;
/** Retries after the first attempt when `--retries` is not given. */
export const DEFAULT_RETRIES = 5;

/** One flag of the CLI. */
export interface CliFlag {
  /** `string` flags take a value (`--email E`), `boolean` flags do not. */
  readonly type: "string" | "boolean";
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
  /** The flag as the help shows it, e.g. `--email E`. */
  readonly label: string;
  /** Its help; each `\n` starts an indented continuation line. */
  readonly help: string;
  /**
   * `command`: an argument of the commands that list it ({@linkcode CliCommand.flags});
   * `common`: taken by every command.
   */
  readonly scope: "command" | "common";
}

/**
 * Every flag of the CLI, in the order the help lists them. The parser's options, the check that
 * a command takes a flag and the help text all come from this table.
 */
export const CLI_FLAGS = {
  email: {
    type: "string",
    label: "--email E",
    help: "the user's email address",
    scope: "command",
  },
  ticker: {
    type: "string",
    label: "--ticker T",
    help: "ticker symbol, e.g. AAPL, BRK-B, EURUSD=X, BTC-USD",
    scope: "command",
  },
  high: {
    type: "string",
    label: "--high N",
    help: "alert when the price rises above N",
    scope: "command",
  },
  low: {
    type: "string",
    label: "--low N",
    help: "alert when the price falls below N",
    scope: "command",
  },
  "clear-high": {
    type: "boolean",
    label: "--clear-high",
    help: "remove the high threshold",
    scope: "command",
  },
  "clear-low": {
    type: "boolean",
    label: "--clear-low",
    help: "remove the low threshold",
    scope: "command",
  },
  count: {
    type: "string",
    label: "--count N",
    help: "how many of the latest prices to average (≥ 1; fewer when fewer are stored)",
    scope: "command",
  },
  "request-id": {
    type: "string",
    label: "--request-id ID",
    help: "idempotency key (default: a new UUID, printed); reuse it to\n" +
      "retry a command safely: it runs at most once",
    scope: "command",
  },
  "command-addr": {
    type: "string",
    label: "--command-addr H:P",
    help: `command service (env ${COMMAND_ADDR_ENV}, default ${DEFAULT_COMMAND_ADDR})`,
    scope: "common",
  },
  "query-addr": {
    type: "string",
    label: "--query-addr H:P",
    help: `query service (env ${QUERY_ADDR_ENV}, default ${DEFAULT_QUERY_ADDR})`,
    scope: "common",
  },
  token: {
    type: "string",
    label: "--token T",
    help: `bearer token for servers with GRPC_AUTH_TOKENS (env ${TOKEN_ENV}\n` +
      `or ${TOKEN_ENV}_FILE; the variable keeps it out of the process list)`,
    scope: "common",
  },
  tls: {
    type: "boolean",
    label: "--tls",
    help: "connect over TLS, trusting the system's CAs (implied by --ca-file)",
    scope: "common",
  },
  "ca-file": {
    type: "string",
    label: "--ca-file F",
    help: `connect over TLS, trusting the CA in PEM file F (env ${CA_FILE_ENV})`,
    scope: "common",
  },
  cert: {
    type: "string",
    label: "--cert F",
    help: `client certificate for mutual TLS, PEM (env ${CERT_ENV}); with --key`,
    scope: "common",
  },
  key: {
    type: "string",
    label: "--key F",
    help: `the client certificate's private key, PEM (env ${KEY_ENV})`,
    scope: "common",
  },
  "server-name": {
    type: "string",
    label: "--server-name N",
    help: `name the server's certificate must carry when dialling an IP address,\n` +
      `e.g. localhost for 127.0.0.1 (env ${SERVER_NAME_ENV})`,
    scope: "common",
  },
  timeout: {
    type: "string",
    label: "--timeout S",
    help: `deadline of each attempt in seconds (default ${DEFAULT_TIMEOUT_S})`,
    scope: "common",
  },
  retries: {
    type: "string",
    label: "--retries N",
    help: "retries on UNAVAILABLE and DEADLINE_EXCEEDED, with exponential backoff\n" +
      `and jitter, same request id every time (default ${DEFAULT_RETRIES})`,
    scope: "common",
  },
  json: {
    type: "boolean",
    label: "--json",
    help: "print one JSON object: code, message, response, request_id, attempts",
    scope: "common",
  },
  help: {
    type: "boolean",
    short: "h",
    label: "--help, -h",
    help: "print help (also: <command> --help)",
    scope: "common",
  },
  version: {
    type: "boolean",
    label: "--version",
    help: "print the version",
    scope: "common",
  },
} as const satisfies Record<string, CliFlag>;

/** The name of a flag of {@linkcode CLI_FLAGS}, without its dashes. */
export type CliFlagName = keyof typeof CLI_FLAGS;

/** The flags that only some commands take (scope `command`). */
export type CliCommandFlagName = {
  [K in CliFlagName]: (typeof CLI_FLAGS)[K]["scope"] extends "command" ? K : never;
}[CliFlagName];

/** The flags only some commands take, in table order. */
export const CLI_COMMAND_FLAGS: readonly CliCommandFlagName[] = _names("command");

/** The flags every command takes, in table order. */
export const CLI_COMMON_FLAGS: readonly CliFlagName[] = _names("common");

function _names<N extends CliFlagName>(scope: CliFlag["scope"]): N[] {
  return (Object.keys(CLI_FLAGS) as N[]).filter((name) => CLI_FLAGS[name].scope === scope);
}

/**
 * The help lines of `names`: two spaces, the label padded to `column`, the help; continuation
 * lines start under the help.
 */
export function cliFlagHelp(names: readonly CliFlagName[], column: number): string {
  const indent = " ".repeat(2 + column);
  return names.map((name) => {
    const { label, help } = CLI_FLAGS[name];
    return `  ${label.padEnd(column)}${help.split("\n").join(`\n${indent}`)}`;
  }).join("\n");
}
