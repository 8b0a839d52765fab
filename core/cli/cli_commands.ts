/** The CLI's commands: what each does, its flags and which service answers it. */
import type { CliCommandFlagName } from "./cli_flags.ts";

/** One command of the CLI. */
export interface CliCommand {
  /** One line for the command list of the help. */
  readonly summary: string;
  /** Its usage line, after the program name. */
  readonly synopsis: string;
  /** The command flags it takes, in help order; the common flags come on top. */
  readonly flags: readonly CliCommandFlagName[];
  /** The flags it cannot do without. */
  readonly required: readonly CliCommandFlagName[];
  /** Served by the command service (takes a request id) or the query service. */
  readonly service: "command" | "query";
}

/** The commands of the CLI, in the order the help lists them. */
export const CLI_COMMANDS = {
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
} as const satisfies Record<string, CliCommand>;

/** The name of a command of {@linkcode CLI_COMMANDS}. */
export type CliCommandName = keyof typeof CLI_COMMANDS;

/** Whether `word` names a command. */
export function isCliCommandName(word: string | undefined): word is CliCommandName {
  return word !== undefined && Object.hasOwn(CLI_COMMANDS, word);
}
