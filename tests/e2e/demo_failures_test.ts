import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEMO_PORTS } from "../../scripts/demo/demo_ports.ts";
import { randomName } from "../_kafka.ts";
import { freshDatabase, TEST_MYSQL_SERVER } from "../helpers/mysql.ts";

const DEMO = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));

async function runDemo(args: string[], env: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "tw-demo-" });
  const t0 = performance.now();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", DEMO, ...args],
      env: { DEMO_DIR: dir, NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const logs = await Array.fromAsync(Deno.readDir(`${dir}/logs`)).catch(() => undefined);
    const logTexts = Object.fromEntries(
      await Promise.all((logs ?? []).map(async (e) => [
        e.name,
        await Deno.readTextFile(`${dir}/logs/${e.name}`),
      ])),
    ) as Record<string, string>;
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
      seconds: (performance.now() - t0) / 1000,
      dir,
      logs: logs === undefined ? undefined : logTexts,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

Deno.test("demo with an unreachable MySQL exits 1 within 10 s with one MYSQL_URL line, starting nothing", async () => {
  const port = freePort();
  const r = await runDemo(["--cycles", "1", "--ephemeral-ports"], {
    MYSQL_URL: `mysql://root@127.0.0.1:${port}/x`,
  });
  const all = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, all);
  assert.ok(r.seconds < 10, `took ${r.seconds.toFixed(1)} s`);
  const failed = r.stderr.split("\n").filter((l) => l.includes("✗"));
  assert.equal(failed.length, 1, all);
  assert.match(failed[0]!, new RegExp(`MYSQL_URL: nothing answers at 127\\.0\\.0\\.1:${port}`));
  // Nothing was started: no Kafka line, no service log folder.
  assert.doesNotMatch(all, /Kafka cluster|kafka-admin|command server on/, all);
  assert.equal(r.logs, undefined, "no service was started");
});

Deno.test("demo with a fixed port taken names the port, its process and --ephemeral-ports", async () => {
  // Hold the first demo port that is free here (another run may hold the others).
  let held: { port: number; what: string; listener: Deno.Listener } | undefined;
  for (const p of Object.values(DEMO_PORTS)) {
    try {
      held = { ...p, listener: Deno.listen({ hostname: "127.0.0.1", port: p.port }) };
      break;
    } catch { /* taken by something else: try the next */ }
  }
  assert.ok(held, "all demo ports are taken on this machine");
  try {
    const r = await runDemo(["--cycles", "1"], {
      MYSQL_URL: `${TEST_MYSQL_SERVER}/${randomName("tw_demo_port").replaceAll("-", "_")}`,
    });
    const all = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 1, all);
    assert.ok(r.seconds < 10, `took ${r.seconds.toFixed(1)} s`);
    const line = r.stderr.split("\n").find((l) => l.includes(`✗ port ${held!.port} `));
    assert.ok(line, all);
    assert.match(line, new RegExp(`\\(${held.what}\\) is taken by pid ${Deno.pid} `));
    assert.match(line, /--ephemeral-ports/);
    assert.equal(r.logs, undefined, "no service was started");
  } finally {
    held.listener.close();
  }
});

Deno.test("demo names the service that dies at start, its error in words and its log file", async () => {
  await using db = freshDatabase("tw_demo_fail");
  const prefix = randomName("demofail");
  const r = await runDemo(["--cycles", "1", "--ephemeral-ports"], {
    MYSQL_URL: db.url,
    TOPIC_TO_ALERT_SYSTEM: `${prefix}.to-alert-system`,
    TOPIC_TO_NOTIFIER: `${prefix}.to-notifier`,
    NOTIFIER_CONCURRENCY: "0", // only the notifier reads it: it stops with a configuration error
  });
  const all = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, all);
  assert.match(r.stderr, /demo failed: notifier exited unexpectedly \(code 2\)/);
  assert.match(r.stderr, /last error: notifier: configuration error: NOTIFIER_CONCURRENCY/);
  assert.match(r.stderr, new RegExp(`full log: +${r.dir}/logs/notifier\\.log`));
  assert.match(r.logs?.["notifier.log"] ?? "", /configuration error: NOTIFIER_CONCURRENCY/);
  // The JSON log lines stay in the files, not on the terminal.
  assert.doesNotMatch(all, /"level":/);
});
