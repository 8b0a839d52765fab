import assert from "node:assert/strict";
import {
  TOPIC_TO_ALERT_SYSTEM,
  TOPIC_TO_ALERT_SYSTEM_DLQ,
  TOPIC_TO_NOTIFIER,
  TOPIC_TO_NOTIFIER_DLQ,
} from "../../core/mod.ts";
import {
  clusterScript,
  connectAdmin,
  ensureKafkaCluster,
  KAFKA_BROKERS,
  waitFor,
  waitHealthy,
} from "../_kafka.ts";

const ENTRY = new URL("../../executables/kafka_admin.ts", import.meta.url).pathname;
const OURS = [
  TOPIC_TO_ALERT_SYSTEM,
  TOPIC_TO_ALERT_SYSTEM_DLQ,
  TOPIC_TO_NOTIFIER,
  TOPIC_TO_NOTIFIER_DLQ,
];

type Line = Record<string, unknown> & { level: string; msg: string };

/** Runs `kafka_admin.ts --once`; returns its exit code and its JSON log lines. */
async function runOnce(): Promise<{ code: number; lines: Line[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENTRY, "--once"],
    env: { KAFKA_BROKERS: KAFKA_BROKERS.join(",") },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).split("\n")
    .filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Line);
  return { code: out.code, lines };
}

Deno.test("kafka_admin.ts --help prints the usage and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENTRY, "--help"],
    stdout: "piped",
  })
    .output();
  assert.equal(out.code, 0);
  assert.match(
    new TextDecoder().decode(out.stdout),
    /Usage: kafka-admin \[--help\] \[--version\] \[--once\]/,
  );
});

Deno.test("kafka_admin.ts stops with one line naming a bad variable", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENTRY, "--once"],
    env: { TO_NOTIFIER_PARTITIONS: "zero" },
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /TO_NOTIFIER_PARTITIONS: must be an integer/);
});

Deno.test(
  "kafka_admin.ts --once creates the topics with RF 3 and min.insync.replicas 2, and a second run changes nothing",
  async () => {
    await ensureKafkaCluster();
    const first = await runOnce();
    assert.equal(first.code, 0, JSON.stringify(first.lines));
    const second = await runOnce();
    assert.equal(second.code, 0);
    const ensured = second.lines.find((l) => l.msg === "topics ensured")!;
    assert.deepEqual(ensured.created, []);
    assert.deepEqual(ensured.existing, OURS);
    const parts = Object.fromEntries(
      second.lines.filter((l) => l.msg === "topic partitions").map((l) => [l.topic, l.partitions]),
    );
    assert.deepEqual(parts, {
      [TOPIC_TO_ALERT_SYSTEM]: 1,
      [TOPIC_TO_ALERT_SYSTEM_DLQ]: 1,
      [TOPIC_TO_NOTIFIER]: 3,
      [TOPIC_TO_NOTIFIER_DLQ]: 3,
    });

    const admin = await connectAdmin();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: OURS });
      for (const t of topics) {
        for (const p of t.partitions) assert.equal(p.replicas.length, 3, t.name);
      }
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: OURS.map((name) => ({ type: 2, name, configNames: ["min.insync.replicas"] })),
      });
      for (const r of configs.resources) {
        assert.equal(r.configEntries[0]!.configValue, "2", r.resourceName);
      }
    } finally {
      await admin.disconnect();
    }
  },
);

Deno.test(
  "kafka_admin.ts --once reports a SIGKILLed broker as a shrunken ISR, and the recovery after its restart",
  async () => {
    await ensureKafkaCluster();
    const admin = await connectAdmin();
    await waitHealthy(admin);
    const victim = 3;
    let restarted = false;
    try {
      await clusterScript(["kill", String(victim)]);
      await waitFor(async () => (await admin.describeCluster()).brokers.length === 2, {
        what: `node ${victim} to be fenced`,
      });
      const down = await runOnce();
      assert.equal(down.code, 0);
      const cluster = down.lines.find((l) => l.msg === "cluster")!;
      assert.ok(
        !(cluster.brokers as string[]).some((b) => b.startsWith(`${victim}@`)),
        String(cluster.brokers),
      );
      assert.ok((cluster.underReplicated as number) > 0);
      const warnings = down.lines.filter((l) => l.msg === "partition under-replicated");
      for (const topic of OURS) {
        assert.ok(warnings.some((w) => w.topic === topic), `warning for ${topic}`);
      }
      for (const w of warnings) {
        assert.equal(w.level, "warn");
        assert.deepEqual(w.missing, [victim]);
        assert.ok(!(w.isr as number[]).includes(victim));
      }

      await clusterScript(["start-node", String(victim)]);
      restarted = true;
      await waitHealthy(admin);
      const up = await runOnce();
      assert.equal(up.code, 0);
      const healed = up.lines.find((l) => l.msg === "cluster")!;
      assert.equal((healed.brokers as string[]).length, 3);
      assert.equal(healed.underReplicated, 0);
      assert.equal(up.lines.filter((l) => l.level === "warn").length, 0);
    } finally {
      if (!restarted) await clusterScript(["start-node", String(victim)]);
      await waitHealthy(admin);
      await admin.disconnect();
    }
  },
);

Deno.test(
  "kafka_admin.ts logs the cluster picture at its interval and exits 0 on SIGTERM",
  async () => {
    await ensureKafkaCluster();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ENTRY],
      env: {
        KAFKA_BROKERS: KAFKA_BROKERS.join(","),
        KAFKA_MONITOR_INTERVAL_S: "1",
        METRICS_ADDR: "127.0.0.1:0",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    await waitFor(async () => {
      const { value } = await reader.read();
      out += value ?? "";
      return out.split('"msg":"cluster"').length > 2;
    }, { timeoutMs: 20_000, what: "two cluster pictures" });
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    assert.equal(status.code, 0);
  },
);
