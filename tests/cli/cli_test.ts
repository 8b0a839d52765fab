/**
 * executables/cli.ts run as a process, with exactly the permissions the build gives the
 * `tickerwatch` binary, against real command and query server processes.
 */
import assert from "node:assert/strict";
import { CLI_EXECUTABLE, ROOT } from "../../scripts/build.ts";
import { freshDatabase, queryNumber, queryRows } from "../helpers/mysql.ts";
import { ServiceProcess } from "../helpers/processes.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion; `env` replaces the TICKERWATCH_* addresses. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out = await cliProcess(args, env).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function cliProcess(args: string[], env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...CLI_EXECUTABLE.permissions, CLI_EXECUTABLE.entry, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", TICKERWATCH_COMMAND_ADDR: "", TICKERWATCH_QUERY_ADDR: "", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

function json(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON line expected:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(lines[0]!);
}

/** A command and a query server on a fresh database, and the CLI's address flags for them. */
async function servers(db: { url: string }) {
  const env = { MYSQL_URL: db.url, GRPC_ADDR: "127.0.0.1:0" };
  const command = new ServiceProcess("command_server", env);
  const query = new ServiceProcess("query_server", env);
  const [commandPort, queryPort] = await Promise.all([command.grpcPort(), query.grpcPort()]);
  return {
    flags: [`--command-addr=127.0.0.1:${commandPort}`, `--query-addr=127.0.0.1:${queryPort}`],
    env: {
      TICKERWATCH_COMMAND_ADDR: `127.0.0.1:${commandPort}`,
      TICKERWATCH_QUERY_ADDR: `127.0.0.1:${queryPort}`,
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([command.stop(), query.stop()]);
    },
  };
}

/** A loopback port nothing listens on (bound once, then released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test(
  "cli: register, login, update, latest, average and delete against real servers",
  opts,
  async () => {
    await using db = freshDatabase();
    await using s = await servers(db);
    const email = "ada@example.com";

    const registered = await cli(
      ["register", "--email", email, "--ticker", "AAPL", "--high", "200", "--low", "150"],
      s.env,
    );
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal(registered.stdout.trim(), `✔ user ${email} successfully registered for AAPL`);
    assert.match(registered.stderr, /^request id [0-9a-f-]{36}$/m, "the generated id is printed");
    const [user] = await queryRows<{ ticker: string; high_value: number; low_value: number }>(
      db.url,
      "SELECT ticker, high_value, low_value FROM users WHERE email = ?",
      [email],
    );
    assert.deepEqual({ ...user }, { ticker: "AAPL", high_value: 200, low_value: 150 });

    const again = await cli(["register", "--email", email, "--ticker", "MSFT"], s.env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ALREADY_EXISTS: user ada@example\.com is already registered/);

    const login = await cli(["login", "--email", email, ...s.flags]);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), `✔ user ${email} successfully logged in`);

    const update = await cli(
      ["update", "--email", email, "--ticker", "BRK-B", "--clear-high", "--low", "300"],
      s.env,
    );
    assert.equal(update.code, 0, update.stderr);
    assert.equal(update.stdout.trim(), `✔ user ${email} successfully updated`);
    const [updated] = await queryRows(
      db.url,
      "SELECT ticker, high_value, low_value FROM users WHERE email = ?",
      [email],
    );
    assert.deepEqual({ ...updated }, { ticker: "BRK-B", high_value: null, low_value: 300 });

    const latest = await cli(["latest", "--email", email], s.env);
    assert.equal(latest.code, 1, "no quotes yet: the service says NOT_FOUND");
    assert.match(latest.stderr, /NOT_FOUND: no quotes collected for BRK-B yet/);
    assert.equal(latest.stdout, "");

    const badCount = await cli(["average", "--email", email, "--count", "0"], s.env);
    assert.equal(badCount.code, 1);
    assert.match(badCount.stderr, /INVALID_ARGUMENT: .*count must be a positive integer/);

    await queryRows(
      db.url,
      "INSERT INTO quotes (ticker, price, at, currency) VALUES " +
        "('BRK-B', 480.5, '2026-01-02 15:30:00.000', 'USD'), " +
        "('BRK-B', 481.25, '2026-01-02 15:31:00.000', 'USD')",
    );
    const priced = await cli(["latest", "--email", email], s.env);
    assert.equal(priced.code, 0, priced.stderr);
    assert.equal(priced.stdout.trim(), "BRK-B 481.25 USD at 2026-01-02T15:31:00.000Z");
    const average = await cli(["average", "--email", email, "--count", "5"], s.env);
    assert.equal(average.code, 0, average.stderr);
    assert.equal(
      average.stdout.trim(),
      "BRK-B 480.875 USD average of the last 2 prices (only 2 collected)",
    );

    const deleted = await cli(["delete", "--email", email], s.env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), `✔ user ${email} successfully deleted`);
    assert.equal(await queryNumber(db.url, "SELECT COUNT(*) FROM users"), 0);

    const gone = await cli(["delete", "--email", email], s.env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NOT_FOUND: user ada@example\.com is not registered/);
  },
);

Deno.test(
  "cli --json prints one object with code, message, response, request_id, attempts",
  opts,
  async () => {
    await using db = freshDatabase();
    await using s = await servers(db);

    const ok = await cli(
      ["register", "--json", "--email", "bob@example.com", "--ticker", "EURUSD=X", "--low", "1.05"],
      s.env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    const okJson = json(ok);
    assert.equal(okJson.command, "register");
    assert.equal(okJson.code, "OK");
    assert.equal(okJson.message, "user bob@example.com successfully registered for EURUSD=X");
    assert.deepEqual(okJson.response, {
      message: "user bob@example.com successfully registered for EURUSD=X",
    });
    assert.match(String(okJson.request_id), /^[0-9a-f-]{36}$/);
    assert.equal(okJson.attempts, 1);

    const refused = await cli(
      ["average", "--json", "--email", "bob@example.com", "--count", "0"],
      s.env,
    );
    assert.equal(refused.code, 1);
    const refusedJson = json(refused);
    assert.equal(refusedJson.code, "INVALID_ARGUMENT");
    assert.match(String(refusedJson.message), /count must be a positive integer/);
    assert.equal(refusedJson.response, undefined);
    assert.equal(refusedJson.request_id, undefined, "queries carry no request id");
    assert.equal(refusedJson.attempts, 1, "a refusal is not retried");

    const login = await cli(["login", "--json", "--email", "bob@example.com"], s.env);
    assert.deepEqual(json(login).response, {
      message: "user bob@example.com successfully logged in",
      success: true,
    });
  },
);

Deno.test("cli: usage errors exit 2 and print usage; --help exits 0", opts, async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [["subscribe", "--email", "a@b.c"], /unknown command "subscribe"/],
    [["register", "--email", "a@b.c"], /register needs --ticker/],
    [["average", "--email", "a@b.c", "--count", "ten"], /--count must be a whole number/],
    [
      ["register", "--email", "a@b.c", "--ticker", "AAPL", "--high", "lots"],
      /--high must be a number/,
    ],
    [["latest", "--email", "a@b.c", "--high", "3"], /latest does not take --high/],
    [["login", "--email", "a@b.c", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["login", "--email", "a@b.c", "--retries", "-1"], /--retries/],
    [["login", "--email", "a@b.c", "--timeout", "0"], /--timeout must be a positive number/],
    [
      ["login", "--email", "a@b.c", "--command-addr", "nowhere"],
      /--command-addr must be host:port/,
    ],
    [["login", "--email", "a@b.c", "extra"], /unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: deno task cli/);
  }
  const badEnv = await cli(["latest", "--email", "a@b.c"], { TICKERWATCH_QUERY_ADDR: "x:y" });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /TICKERWATCH_QUERY_ADDR must be host:port, got "x:y"/);

  const usageJson = await cli(["average", "--json", "--email", "a@b.c"]);
  assert.equal(usageJson.code, 2);
  assert.deepEqual(json(usageJson), { code: "USAGE", message: "average needs --count" });

  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  for (const name of ["register", "login", "update", "delete", "latest", "average"]) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
  }
  assert.match(help.stdout, /TICKERWATCH_COMMAND_ADDR/);
  const commandHelp = await cli(["update", "--help"]);
  assert.equal(commandHelp.code, 0);
  assert.match(commandHelp.stdout, /usage: deno task cli update --email E/);
  assert.match(commandHelp.stdout, /--clear-high/);

  const version = await cli(["--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^tickerwatch cli \d+\.\d+\.\d+\n$/);
});

Deno.test(
  "cli exits 3 when the service stays unavailable, naming the request id to reuse",
  opts,
  async () => {
    const port = freePort();
    const r = await cli([
      "delete",
      "--email",
      "a@b.c",
      "--request-id",
      "my-id-1",
      "--retries",
      "2",
      "--command-addr",
      `127.0.0.1:${port}`,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal((r.stderr.match(/^… UNAVAILABLE \(attempt \d of 3\)/gm) ?? []).length, 2);
    assert.match(r.stderr, /✘ UNAVAILABLE: .*ECONNREFUSED/);
    assert.match(r.stderr, /did not answer after 3 attempts; retry with --request-id my-id-1/);

    const asJson = await cli([
      "latest",
      "--json",
      "--email",
      "a@b.c",
      "--retries",
      "0",
      "--query-addr",
      `127.0.0.1:${port}`,
    ]);
    assert.equal(asJson.code, 3);
    assert.equal(json(asJson).code, "UNAVAILABLE");
    assert.equal(json(asJson).attempts, 1);
  },
);

Deno.test(
  "cli retries with the same request id until a server comes up, and a repeat gets the same answer",
  opts,
  async () => {
    await using db = freshDatabase();
    const port = freePort();
    const requestId = crypto.randomUUID();
    const args = [
      "register",
      "--json",
      "--email",
      "cy@example.com",
      "--ticker",
      "BTC-USD",
      "--high",
      "100000",
      "--request-id",
      requestId,
      "--retries",
      "12",
      "--command-addr",
      `127.0.0.1:${port}`,
    ];
    const waiting = cliProcess(args).output();
    await new Promise((r) => setTimeout(r, 1_000));
    const server = new ServiceProcess("command_server", {
      MYSQL_URL: db.url,
      GRPC_ADDR: `127.0.0.1:${port}`,
    });
    try {
      const out = await waiting;
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const first = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(first.code, "OK");
      assert.equal(first.request_id, requestId);
      assert.ok(first.attempts > 1, `expected retries, got ${first.attempts} attempt(s)`);
      assert.match(stderr, /… UNAVAILABLE \(attempt 1 of 13\)/);

      // The same request id again: the stored answer, not ALREADY_EXISTS, and no second row.
      const repeat = await cli(args);
      assert.equal(repeat.code, 0, repeat.stderr);
      const second = json(repeat);
      assert.equal(second.code, "OK");
      assert.equal(second.message, first.message);
      assert.equal(second.attempts, 1);
      assert.equal(
        await queryNumber(db.url, "SELECT COUNT(*) FROM processed_requests WHERE request_id = ?", [
          requestId,
        ]),
        1,
      );

      // A fresh id for the same registration is a new command: the service says it exists.
      const fresh = await cli(args.filter((a) => a !== requestId && a !== "--request-id"));
      assert.equal(fresh.code, 1);
      assert.equal(json(fresh).code, "ALREADY_EXISTS");
    } finally {
      await server.stop();
    }
  },
);

Deno.test("cli retries DEADLINE_EXCEEDED when a peer accepts but never answers", opts, async () => {
  // TCP accepts, HTTP/2 never starts: every attempt runs into its deadline.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const r = await cli([
      "login",
      "--json",
      "--email",
      "a@b.c",
      "--timeout",
      "0.5",
      "--retries",
      "1",
      "--command-addr",
      `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /… DEADLINE_EXCEEDED \(attempt 1 of 2\)/);
    const out = json(r);
    assert.equal(out.code, "DEADLINE_EXCEEDED");
    assert.equal(out.attempts, 2);
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});
