import assert from "node:assert/strict";
import { CliUsageError } from "../../core/cli/cli_usage_error.ts";
import { parseCliArgs } from "../../core/cli/parse_cli_args.ts";

const base = ["login", "--email", "ada@example.com"];

function invocation(args: string[], env: Record<string, string> = {}) {
  const r = parseCliArgs([...base, ...args], env, "test");
  assert.equal(r.kind, "run");
  return r.invocation;
}

Deno.test("parseCliArgs() takes --token, or TICKERWATCH_TOKEN / TICKERWATCH_TOKEN_FILE", async () => {
  assert.equal(invocation([]).token, undefined);
  assert.equal(
    invocation(["--token", "flag-token"], { TICKERWATCH_TOKEN: "env" }).token,
    "flag-token",
  );
  assert.equal(invocation([], { TICKERWATCH_TOKEN: "env-token" }).token, "env-token");
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "file-token\n");
    assert.equal(invocation([], { TICKERWATCH_TOKEN_FILE: file }).token, "file-token");
  } finally {
    await Deno.remove(file);
  }
  assert.throws(() => invocation(["--token", "two words"]), CliUsageError);
});

Deno.test("parseCliArgs() turns TLS on with --tls, --ca-file or a client certificate", () => {
  assert.equal(invocation([]).tls, null);
  assert.deepEqual(invocation(["--tls"]).tls, {
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    serverName: undefined,
  });
  assert.deepEqual(
    invocation(["--cert", "c.pem", "--key", "k.pem", "--server-name", "localhost"], {
      TICKERWATCH_CA_FILE: "ca.pem",
    }).tls,
    { caFile: "ca.pem", certFile: "c.pem", keyFile: "k.pem", serverName: "localhost" },
  );
  assert.throws(() => invocation(["--cert", "c.pem"]), /--cert and --key go together/);
  assert.throws(() => invocation(["--server-name", "localhost"]), /needs TLS/);
});
