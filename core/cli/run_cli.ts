/** The tickerwatch CLI: one command against the command or query service over gRPC. */
import * as grpc from "@grpc/grpc-js";
import type { Env } from "../config/env.ts";
import { type CallResult, UserClient } from "../grpc/user_client.ts";
import { VERSION } from "../runtime/run_service.ts";
import { CLI_COMMANDS } from "./cli_commands.ts";
import { CLI_EXIT, type CliExitCode } from "./cli_exit_codes.ts";
import {
  formatAnswer,
  formatFailure,
  formatJsonResult,
  formatRetryNote,
  tidyGrpcMessage,
} from "./cli_output.ts";
import { cliCommandUsage, cliUsage } from "./cli_usage.ts";
import { CliUsageError } from "./cli_usage_error.ts";
import { type CliInvocation, parseCliArgs } from "./parse_cli_args.ts";

/** Where the CLI writes: answers to `out` (stdout), notes and errors to `note` (stderr). */
export interface CliConsole {
  /** Writes one line of the answer (stdout by default; the JSON result with `--json`). */
  out(line: string): void;
  /** Writes one line of notes, usage and errors (stderr by default). */
  note(line: string): void;
}

const _STD_CONSOLE: CliConsole = {
  out: (line) => console.log(line),
  note: (line) => console.error(line),
};

/**
 * Runs the CLI with `args` and the environment `env` (for the address variables); resolves with
 * the exit code ({@linkcode CLI_EXIT}). `--help` lists the commands and flags.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(Deno.args, Deno.env.toObject()));
 * ```
 */
export async function runCli(
  args: readonly string[],
  env: Env,
  io: CliConsole = _STD_CONSOLE,
): Promise<CliExitCode> {
  let request;
  try {
    request = parseCliArgs(args, env, VERSION);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    if (args.includes("--json")) io.out(JSON.stringify({ code: "USAGE", message: err.message }));
    const usage = err.command ? cliCommandUsage(err.command) : cliUsage();
    io.note(`error: ${err.message}\n\n${usage}`);
    return CLI_EXIT.USAGE;
  }
  if (request.kind === "print") {
    io.out(request.text);
    return CLI_EXIT.OK;
  }
  return await _run(request.invocation, io);
}

async function _run(inv: CliInvocation, io: CliConsole): Promise<CliExitCode> {
  const isCommand = CLI_COMMANDS[inv.name].service === "command";
  if (isCommand && inv.requestIdGenerated && !inv.json) io.note(`request id ${inv.requestId}`);

  let client: UserClient;
  try {
    client = new UserClient({
      commandAddr: inv.commandAddr,
      queryAddr: inv.queryAddr,
      timeoutMs: inv.timeoutMs,
      retries: inv.retries,
      onRetry: (info) => io.note(formatRetryNote(info, inv.retries)),
      token: inv.token,
      tls: inv.tls,
      tlsServerName: inv.tls?.serverName,
    });
  } catch (err) {
    // Unreadable TLS files: say which, as a usage error.
    io.note(`error: ${(err as Error).message}`);
    return CLI_EXIT.USAGE;
  }
  let result: CallResult<Record<string, unknown>>;
  try {
    result = await _call(client, inv) as CallResult<Record<string, unknown>>;
  } finally {
    client.close();
  }
  if (!result.ok) result = { ...result, message: tidyGrpcMessage(result.message) };

  const address = isCommand ? inv.commandAddr : inv.queryAddr;
  const unavailable = !result.ok &&
    (result.code === grpc.status.UNAVAILABLE || result.code === grpc.status.DEADLINE_EXCEEDED);
  if (inv.json) io.out(formatJsonResult(inv, result, address));
  else if (result.ok) io.out(formatAnswer(inv, result.response));
  else io.note(formatFailure(inv, result, unavailable ? { address } : undefined));

  if (result.ok) return CLI_EXIT.OK;
  return unavailable ? CLI_EXIT.UNAVAILABLE : CLI_EXIT.REFUSED;
}

function _call(client: UserClient, inv: CliInvocation): Promise<CallResult<unknown>> {
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
