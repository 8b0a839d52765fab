/** What the CLI prints: answer lines, the JSON object, retry and failure notes. */
import * as grpc from "@grpc/grpc-js";
import { formatPrice } from "../domain/price_format.ts";
import type { CallResult, RetryInfo } from "../grpc/user_client.ts";
import { CLI_COMMANDS } from "./cli_commands.ts";
import type { CliInvocation } from "./parse_cli_args.ts";

/** The status name of a gRPC code, e.g. "NOT_FOUND". */
export function grpcCodeName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

/** A gRPC error message without the empty "Resolution note: " grpc-js appends to some. */
export function tidyGrpcMessage(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, "");
}

/** The note on stderr before the CLI waits to try again. */
export function formatRetryNote(info: RetryInfo, retries: number): string {
  return `… ${grpcCodeName(info.code)} (attempt ${info.attempt} of ${retries + 1}): ` +
    `${tidyGrpcMessage(info.message)}; retrying in ${(info.waitMs / 1000).toFixed(1)} s`;
}

/** The one JSON object `--json` prints: command, code, message, response, request_id, attempts, address. */
export function formatJsonResult(
  inv: CliInvocation,
  result: CallResult<Record<string, unknown>>,
  address: string,
): string {
  const obj: Record<string, unknown> = {
    command: inv.name,
    code: grpcCodeName(result.code),
    message: result.ok ? result.response.message ?? "" : result.message,
  };
  if (result.ok) obj.response = result.response;
  if (CLI_COMMANDS[inv.name].service === "command") obj.request_id = inv.requestId;
  obj.attempts = result.attempts;
  obj.address = address;
  return JSON.stringify(obj);
}

/** One readable line for a successful answer. */
export function formatAnswer(inv: CliInvocation, r: Record<string, unknown>): string {
  switch (inv.name) {
    case "latest":
      return `${r.ticker} ${_price(r.value, r.currency)} at ${r.timestamp}`;
    case "average": {
      const n = Number(r.values_count);
      const fewer = n < inv.count! ? ` (only ${n} collected)` : "";
      return `${r.ticker} ${_price(r.average_value, r.currency)} average of the last ${n} ` +
        `price${n === 1 ? "" : "s"}${fewer}`;
    }
    default:
      return `✔ ${r.message}`;
  }
}

/** The lines on stderr when the service refused or did not answer. */
export function formatFailure(
  inv: CliInvocation,
  failure: { code: grpc.status; message: string; attempts: number },
  unavailable: { address: string } | undefined,
): string {
  const line = `✘ ${grpcCodeName(failure.code)}: ${failure.message}`;
  if (unavailable === undefined) return line;
  const { service } = CLI_COMMANDS[inv.name];
  const { attempts } = failure;
  return `${line}\n` +
    `  the ${service} service at ${unavailable.address} did not answer after ` +
    `${attempts} attempt${attempts === 1 ? "" : "s"}` +
    (service === "command"
      ? `; retry with --request-id ${inv.requestId} (it runs at most once)`
      : "");
}

/** A price at its own precision, with its currency when the answer has one ("308.80 GBp"). */
function _price(v: unknown, currency: unknown): string {
  return formatPrice(Number(v), typeof currency === "string" && currency ? currency : undefined);
}
