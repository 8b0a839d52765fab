/** The CLI's parsing and help, in process: no servers. */
import assert from "node:assert/strict";
import { CLI_COMMANDS } from "../../core/cli/cli_commands.ts";
import { CLI_FLAGS, type CliFlagName } from "../../core/cli/cli_flags.ts";
import { cliCommandUsage, cliUsage } from "../../core/cli/cli_usage.ts";
import { CliUsageError } from "../../core/cli/cli_usage_error.ts";
import { type CliInvocation, parseCliArgs } from "../../core/cli/parse_cli_args.ts";
import { CLI_EXIT, ConfigError, runCli } from "../../core/mod.ts";

function invocation(args: string[], env: Record<string, string> = {}): CliInvocation {
  const r = parseCliArgs(args, env, "9.8.7");
  assert.equal(r.kind, "run");
  return r.invocation;
}

function usageError(args: string[], env: Record<string, string> = {}): CliUsageError {
  try {
    parseCliArgs(args, env, "9.8.7");
  } catch (err) {
    assert.ok(err instanceof CliUsageError, String(err));
    return err;
  }
  assert.fail(`${args.join(" ")} parsed`);
}

Deno.test("cliUsage() and cliCommandUsage() list every flag of the table with its help", () => {
  const common = (Object.keys(CLI_FLAGS) as CliFlagName[]).filter((f) =>
    CLI_FLAGS[f].scope === "common"
  );
  for (const flag of common) {
    const { label, help } = CLI_FLAGS[flag];
    const first = help.split("\n")[0]!;
    assert.match(
      cliUsage(),
      new RegExp(`^  ${RegExp.escape(label)} +${RegExp.escape(first)}$`, "m"),
    );
  }
  for (const [name, spec] of Object.entries(CLI_COMMANDS)) {
    const text = cliCommandUsage(name as keyof typeof CLI_COMMANDS);
    const listed = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    const expected = [...spec.flags, ...common].map((f) => CLI_FLAGS[f].label.split(/[ ,]/)[0]);
    assert.deepEqual(listed, expected, name);
  }
});

Deno.test("parseCliArgs() rejects a flag that the command does not list", () => {
  for (const [name, spec] of Object.entries(CLI_COMMANDS)) {
    for (const flag of ["ticker", "count", "clear-low"] as const) {
      if ((spec.flags as readonly string[]).includes(flag)) continue;
      const value = CLI_FLAGS[flag].type === "string" ? ["1"] : [];
      const err = usageError([name, "--email", "a@b.c", `--${flag}`, ...value]);
      assert.equal(err.message, `${name} does not take --${flag}`);
      assert.equal(err.command, name);
    }
  }
});

Deno.test("parseCliArgs() takes addresses from the flag, else the variable, else the default", () => {
  const env = { TICKERWATCH_COMMAND_ADDR: "cmd.example:7001", TICKERWATCH_QUERY_ADDR: "" };
  const fromEnv = invocation(["login", "--email", "a@b.c"], env);
  assert.equal(fromEnv.commandAddr, "cmd.example:7001");
  assert.equal(fromEnv.queryAddr, "127.0.0.1:50052", "an empty variable counts as unset");
  const fromFlag = invocation(["login", "--email", "a@b.c", "--command-addr", "[::1]:7002"], env);
  assert.equal(fromFlag.commandAddr, "[::1]:7002");
});

Deno.test("parseCliArgs() checks addresses with the config module's host:port parser", () => {
  const bad = usageError(["latest", "--email", "a@b.c", "--query-addr", "host:70000"]);
  assert.equal(bad.message, '--query-addr must be host:port, got "host:70000"');
  assert.ok(bad.cause instanceof ConfigError, "the config module's error is the cause");
  const zero = usageError(["latest", "--email", "a@b.c"], { TICKERWATCH_QUERY_ADDR: "h:0" });
  assert.equal(zero.message, 'TICKERWATCH_QUERY_ADDR must be host:port, got "h:0"');
});

Deno.test("parseCliArgs() keeps a given request id and makes one up otherwise", () => {
  const given = invocation(["delete", "--email", "a@b.c", "--request-id", "r-1"]);
  assert.deepEqual([given.requestId, given.requestIdGenerated], ["r-1", false]);
  const made = invocation(["delete", "--email", "a@b.c"]);
  assert.match(made.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(made.requestIdGenerated, true);
});

Deno.test("parseCliArgs() answers --version with the version it is given", () => {
  assert.deepEqual(parseCliArgs(["--version"], {}, "9.8.7"), {
    kind: "print",
    text: "tickerwatch cli 9.8.7",
  });
});

Deno.test("runCli() prints a usage error as JSON on stdout with --json and returns 2", async () => {
  const out: string[] = [];
  const note: string[] = [];
  const code = await runCli(["average", "--json", "--email", "a@b.c"], {}, {
    out: (l) => out.push(l),
    note: (l) => note.push(l),
  });
  assert.equal(code, CLI_EXIT.USAGE);
  assert.deepEqual(out.map((l) => JSON.parse(l)), [
    { code: "USAGE", message: "average needs --count" },
  ]);
  assert.match(note.join("\n"), /^error: average needs --count\n\ntickerwatch CLI average:/);
});
