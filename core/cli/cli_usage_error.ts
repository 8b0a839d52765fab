import type { CliCommandName } from "./cli_commands.ts";

/**
 * The CLI's arguments (or its address variables) are wrong: the CLI prints the message and the
 * usage of `command` (or the global usage) and exits 2.
 */
export class CliUsageError extends Error {
  /** The command whose usage to print, when the arguments named one. */
  readonly command: CliCommandName | undefined;

  constructor(
    message: string,
    options: { command?: CliCommandName | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliUsageError";
    this.command = options.command;
  }
}
