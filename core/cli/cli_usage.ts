/** The CLI's help texts, made from its command and flag tables. */
import { CLI_COMMANDS, type CliCommand, type CliCommandName } from "./cli_commands.ts";
import { CLI_COMMON_FLAGS, cliFlagHelp } from "./cli_flags.ts";

/** How the help names the program. */
export const CLI_PROGRAM = "deno task cli";

// Columns where the help of a flag starts, after the two-space indent.
const _COMMAND_FLAG_COLUMN = 19;
const _COMMON_FLAG_COLUMN = 21;

function _commonHelp(): string {
  return `common flags:
${cliFlagHelp(CLI_COMMON_FLAGS, _COMMON_FLAG_COLUMN)}

exit codes: 0 ok, 1 the service said no (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, ...),
            2 usage error, 3 service unavailable after the retries`;
}

/** The global help: the commands, the common flags, the exit codes and examples. */
export function cliUsage(): string {
  const entries = Object.entries(CLI_COMMANDS);
  const width = Math.max(...entries.map(([name]) => name.length));
  const commands = entries.map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`);
  return `tickerwatch CLI: manage price alerts over gRPC

usage: ${CLI_PROGRAM} <command> [flags]

commands:
${commands.join("\n")}

${_commonHelp()}

examples:
  ${CLI_PROGRAM} register --email ada@example.com --ticker AAPL --high 200 --low 150
  ${CLI_PROGRAM} latest --email ada@example.com
  ${CLI_PROGRAM} average --email ada@example.com --count 10 --json`;
}

/** The help of one command: its usage line, its flags, then the common flags. */
export function cliCommandUsage(name: CliCommandName): string {
  const spec: CliCommand = CLI_COMMANDS[name];
  return `tickerwatch CLI ${name}: ${spec.summary}

usage: ${CLI_PROGRAM} ${spec.synopsis}

flags:
${cliFlagHelp(spec.flags, _COMMAND_FLAG_COLUMN)}

${_commonHelp()}`;
}
