/**
 * scripts/build.ts and what it builds. These machines cannot download Deno's `denort` runtime,
 * so the binaries themselves are not built here: the tests check the build's failure messages,
 * type-check every entry point and run each one through `deno run` with exactly the permissions
 * the build bakes into its binary.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  CLI_EXECUTABLE,
  compileArgs,
  entryPoints,
  EXECUTABLES,
  ROOT,
  SERVICE_EXECUTABLES,
  SERVICE_V8_FLAGS,
} from "../../scripts/build.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { waitFor } from "../helpers/wait.ts";

const BUILD = fileURLToPath(new URL("../../scripts/build.ts", import.meta.url));
const { present, missing } = await entryPoints();

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function build(args: string[], env: Record<string, string> = {}) {
  return run([Deno.execPath(), "run", "-A", BUILD, ...args], env);
}

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Lines of the build's stderr that are not the "checking …" progress line. */
function messages(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) => !l.startsWith("build: checking"));
}

Deno.test("scripts/build.ts --help exits 0 and explains --target, --out and DENORT_BIN", async () => {
  const r = await build(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const word of ["--target", "--out", "--download-timeout", "DENORT_BIN", "dist"]) {
    assert.ok(r.stdout.includes(word), `--help mentions ${word}`);
  }
  for (const spec of EXECUTABLES) assert.ok(r.stdout.includes(spec.name), spec.name);
});

Deno.test("scripts/build.ts exits 2 on a usage error", async () => {
  const target = await build(["--target", "pdp11-unknown-bsd"]);
  assert.equal(target.code, 2);
  assert.match(target.stderr, /--target must be one of x86_64-unknown-linux-gnu/);
  const unknown = await build(["--fast"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--fast'/);
});

Deno.test(
  "scripts/build.ts with DENORT_BIN pointing at a missing file stops with one message",
  async () => {
    const out = await Deno.makeTempDir({ prefix: "tw_build_" });
    try {
      const denort = `${out}/no-such-denort`;
      const r = await build(["--out", `${out}/dist`], { DENORT_BIN: denort });
      assert.equal(r.code, 1, r.stderr);
      const lines = messages(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(`DENORT_BIN is ${denort}, which does not exist`));
      assert.match(lines[0]!, /denort 2\.\d+\.\d+ binary for \S+-\S+/);
      assert.ok(!r.stderr.includes("Stack backtrace"), r.stderr);
      await assert.rejects(() => Deno.stat(`${out}/dist`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
);

Deno.test(
  "scripts/build.ts stops with one message naming the URL when denort cannot be downloaded",
  async () => {
    // An empty DENO_DIR (nothing cached) and a proxy that refuses: the download must fail.
    const denoDir = await Deno.makeTempDir({ prefix: "tw_build_denodir_" });
    try {
      const r = await build(["--out", `${denoDir}/dist`], {
        DENO_DIR: denoDir,
        HTTPS_PROXY: `http://127.0.0.1:${closedPort()}`,
        NO_PROXY: "",
        DENORT_BIN: "",
      });
      assert.equal(r.code, 1, r.stderr);
      const lines = messages(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        /deno compile cannot get its runtime: downloading https:\/\/dl\.deno\.land\/release\/v2\.\d+\.\d+\/denort-\S+\.zip failed \(.*(refused|error).*\)\. Set DENORT_BIN/,
      );
      assert.ok(!r.stderr.includes("Stack backtrace"), r.stderr);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  },
);

Deno.test(
  "scripts/build.ts gives up on a download that hangs after --download-timeout",
  async () => {
    // A proxy that accepts connections and never answers.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const conn of listener) held.push(conn);
    })();
    const denoDir = await Deno.makeTempDir({ prefix: "tw_build_denodir_" });
    try {
      const started = Date.now();
      const r = await build(["--download-timeout", "2", "--out", `${denoDir}/dist`], {
        DENO_DIR: denoDir,
        HTTPS_PROXY: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
        NO_PROXY: "",
        DENORT_BIN: "",
      });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(Date.now() - started < 30_000, "the build did not hang");
      const lines = messages(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /downloading https:\/\/dl\.deno\.land\/.* did not finish within 2 s/);
      assert.match(lines[0]!, /Set DENORT_BIN/);
    } finally {
      listener.close();
      for (const conn of held) conn.close();
      await accepting.catch(() => {});
      await Deno.remove(denoDir, { recursive: true });
    }
  },
);

Deno.test("compileArgs() embeds the protos and names the binary after the service", () => {
  const command = EXECUTABLES.find((e) => e.name === "command")!;
  const args = compileArgs(command, "aarch64-unknown-linux-gnu", "/out");
  assert.deepEqual(args.slice(0, 1), ["compile"]);
  assert.ok(!args.includes("-A") && !args.includes("--allow-all"), "explicit permissions only");
  assert.ok(args.includes("--allow-sys=uid,gid"));
  assert.deepEqual(args.slice(args.indexOf("--include"), args.indexOf("--include") + 2), [
    "--include",
    "protos",
  ]);
  assert.equal(args[args.indexOf("--target") + 1], "aarch64-unknown-linux-gnu");
  assert.equal(args[args.indexOf("--output") + 1], "/out/command");
  assert.equal(args.at(-1), "executables/command_server.ts");
  // The binary runs with the services' V8 flags (deno compile bakes them in).
  assert.ok(args.includes(`--v8-flags=${SERVICE_V8_FLAGS.join(",")}`), args.join(" "));
  assert.deepEqual(EXECUTABLES.map((e) => e.name), [
    "command",
    "query",
    "collector",
    "alert-system",
    "notifier",
    "kafka-admin",
    "tickerwatch",
  ]);
  const notifier = EXECUTABLES.find((e) => e.name === "notifier")!;
  assert.ok(notifier.permissions.includes("--allow-sys=uid,gid,hostname"), "nodemailer");
});

Deno.test("the CLI is the seventh binary, dist/tickerwatch, after the six services", () => {
  assert.deepEqual(EXECUTABLES, [...SERVICE_EXECUTABLES, CLI_EXECUTABLE]);
  assert.equal(SERVICE_EXECUTABLES.length, 6);
  const args = compileArgs(CLI_EXECUTABLE, "x86_64-unknown-linux-gnu", "dist");
  assert.equal(args[args.indexOf("--output") + 1], "dist/tickerwatch");
  assert.equal(args.at(-1), "executables/cli.ts");
  assert.ok(args.includes("--include"), "the CLI loads the protos too");
  assert.ok(!args.some((a) => a.startsWith("--allow-write") || a.startsWith("--allow-run")));
  assert.ok(!args.some((a) => a.startsWith("--allow-sys=") && a.includes("hostname")));
});

Deno.test("deno task cli runs the CLI's entry point with exactly the build's permissions", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks;
  assert.equal(
    tasks.cli,
    `deno run ${CLI_EXECUTABLE.permissions.join(" ")} ${CLI_EXECUTABLE.entry}`,
  );
});

Deno.test(
  `every existing entry point type-checks (missing: ${
    missing.map((e) => e.entry).join(", ") || "none"
  })`,
  async () => {
    assert.ok(present.length > 0);
    const r = await run([Deno.execPath(), "check", ...present.map((e) => e.entry)]);
    assert.equal(r.code, 0, r.stderr);
  },
);

/** Variables each executable's --help must name. */
const USAGE_NAMES: Record<string, string[]> = {
  command: ["GRPC_ADDR", "MYSQL_URL"],
  query: ["GRPC_ADDR", "MYSQL_URL"],
  collector: ["MYSQL_URL", "KAFKA_BROKERS"],
  "alert-system": ["MYSQL_URL", "KAFKA_BROKERS"],
  notifier: ["KAFKA_BROKERS", "SMTP_URL"],
  "kafka-admin": ["KAFKA_BROKERS"],
  tickerwatch: ["TICKERWATCH_COMMAND_ADDR", "TICKERWATCH_QUERY_ADDR"],
};

for (const spec of present) {
  const deno = (args: string[]) =>
    run([Deno.execPath(), "run", "--no-prompt", ...spec.permissions, spec.entry, ...args]);

  Deno.test(
    `${spec.entry} --help exits 0 under the build's permissions and names its variables`,
    async () => {
      const r = await deno(["--help"]);
      assert.equal(r.code, 0, r.stderr);
      for (const name of USAGE_NAMES[spec.name]!) assert.ok(r.stdout.includes(name), name);
    },
  );

  Deno.test({
    name: `${spec.entry} --version exits 0 under the build's permissions`,
    fn: async () => {
      const r = await deno(["--version"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^tickerwatch \S+ \d+\.\d+\.\d+$/m);
    },
  });
}

Deno.test(
  "the command and query servers serve with exactly the permissions the build gives them",
  async () => {
    await using db = freshDatabase();
    const started = ["command", "query"].map((name) => {
      const spec = EXECUTABLES.find((e) => e.name === name)!;
      const lines: string[] = [];
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", ...spec.permissions, spec.entry],
        cwd: ROOT,
        env: {
          NO_COLOR: "1",
          MYSQL_URL: db.url,
          GRPC_ADDR: "127.0.0.1:0",
          METRICS_ADDR: "off",
          PUBLIC_HTTP_ADDR: "127.0.0.1:0",
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      for (const stream of [child.stdout, child.stderr]) {
        (async () => {
          for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
            lines.push(...chunk.split("\n").filter(Boolean));
          }
        })();
      }
      return { child, lines };
    });
    try {
      const [commandPort, queryPort] = await Promise.all(started.map(async ({ lines }) => {
        const line = await waitFor(() => lines.find((l) => /grpc server listening/.test(l)), {
          timeoutMs: 30_000,
          what: `grpc server listening:\n${lines.join("\n")}`,
        });
        return JSON.parse(line).port as number;
      }));
      const clients = userServiceClients(commandPort!, queryPort!);
      try {
        const registered = await clients.command("RegisterUser", {
          email: "perm@example.com",
          ticker: "AAPL",
          request_id: rid(),
          high_value: 300,
        });
        assert.equal(registered.code, 0, registered.details);
        const latest = await clients.query("GetLatestValue", { email: "perm@example.com" });
        assert.equal(latest.code, 5 /* NOT_FOUND: no quotes yet, but the query ran */);
        assert.match(latest.details, /no quotes collected for AAPL yet/);
      } finally {
        clients.close();
      }
      for (const { lines } of started) {
        assert.ok(!lines.some((l) => /NotCapable|PermissionDenied/.test(l)), lines.join("\n"));
      }
    } finally {
      for (const { child } of started) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
      }
    }
  },
);
