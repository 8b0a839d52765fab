import assert from "node:assert/strict";
import { formatAnswer } from "../../core/cli/cli_output.ts";
import type { CliInvocation } from "../../core/cli/parse_cli_args.ts";

function invocation(name: "latest" | "average", count?: number): CliInvocation {
  return {
    name,
    email: "ada@example.com",
    ticker: undefined,
    high: undefined,
    low: undefined,
    clearHigh: false,
    clearLow: false,
    count,
    requestId: "r",
    requestIdGenerated: false,
    commandAddr: "127.0.0.1:50051",
    queryAddr: "127.0.0.1:50052",
    timeoutMs: 1000,
    retries: 0,
    json: false,
  };
}

Deno.test("formatAnswer() writes the latest price with its currency and own precision", () => {
  const at = "2026-01-05T16:30:00.000Z";
  assert.equal(
    formatAnswer(invocation("latest"), {
      ticker: "OCDO.L",
      value: 308.8,
      timestamp: at,
      currency: "GBp",
    }),
    `OCDO.L 308.80 GBp at ${at}`,
  );
  assert.equal(
    formatAnswer(invocation("latest"), {
      ticker: "EURUSD=X",
      value: 1.0489877,
      timestamp: at,
      currency: "USD",
    }),
    `EURUSD=X 1.0489877 USD at ${at}`,
  );
  assert.equal(
    formatAnswer(invocation("latest"), { ticker: "SHIB-USD", value: 0.00001234, timestamp: at }),
    `SHIB-USD 0.00001234 at ${at}`,
    "an older server sends no currency",
  );
});

Deno.test("formatAnswer() writes an average with its currency", () => {
  assert.equal(
    formatAnswer(invocation("average", 10), {
      ticker: "OCDO.L",
      average_value: 309.45,
      values_count: 10,
      currency: "GBp",
    }),
    "OCDO.L 309.45 GBp average of the last 10 prices",
  );
});
