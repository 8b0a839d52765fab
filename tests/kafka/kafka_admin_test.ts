import assert from "node:assert/strict";
import {
  dlqTopicOf,
  TOPIC_TO_ALERT_SYSTEM,
  TOPIC_TO_ALERT_SYSTEM_DLQ,
  TOPIC_TO_NOTIFIER,
  TOPIC_TO_NOTIFIER_DLQ,
} from "../../core/mod.ts";
import {
  clusterScript,
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  KAFKA_BROKERS,
  randomName,
  waitFor,
  waitHealthy,
} from "../_kafka.ts";
import { ensureTopics } from "../../core/kafka/topic_admin.ts";
import { DEFAULT_TO_NOTIFIER_PARTITIONS } from "../../core/services/kafka_admin_config.ts";

const ENTRY = new URL("../../executables/kafka_admin.ts", import.meta.url).pathname;
const OURS = [
  TOPIC_TO_ALERT_SYSTEM,
  TOPIC_TO_ALERT_SYSTEM_DLQ,
  TOPIC_TO_NOTIFIER,
  TOPIC_TO_NOTIFIER_DLQ,
];

type Line = Record<string, unknown> & { level: string; msg: string };

/** Runs `kafka_admin.ts --once`; returns its exit code and its JSON log lines. */
async function runOnce(env: Record<string, string> = {}): Promise<{ code: number; lines: Line[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENTRY, "--once"],
    env: { KAFKA_BROKERS: KAFKA_BROKERS.join(","), ...env },
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
    assert.deepEqual(ensured.raised, []);
    assert.deepEqual(ensured.existing, OURS);
    const parts = Object.fromEntries(
      second.lines.filter((l) => l.msg === "topic partitions").map((l) => [l.topic, l.partitions]),
    );
    assert.deepEqual(parts, {
      [TOPIC_TO_ALERT_SYSTEM]: 1,
      [TOPIC_TO_ALERT_SYSTEM_DLQ]: 1,
      [TOPIC_TO_NOTIFIER]: DEFAULT_TO_NOTIFIER_PARTITIONS,
      [TOPIC_TO_NOTIFIER_DLQ]: DEFAULT_TO_NOTIFIER_PARTITIONS,
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

Deno.test(
  "kafka_admin.ts --once raises to-notifier and its DLQ from 3 partitions to TO_NOTIFIER_PARTITIONS, and never lowers a topic that has more",
  async () => {
    await ensureKafkaCluster();
    const admin = await connectAdmin();
    const toNotifier = randomName("t-upgrade-notifier");
    const toAlertSystem = randomName("t-upgrade-alerts");
    const all = [toNotifier, dlqTopicOf(toNotifier), toAlertSystem, dlqTopicOf(toAlertSystem)];
    const counts = async () =>
      Object.fromEntries(
        (await admin.fetchTopicMetadata({ topics: all })).topics
          .map((t) => [t.name, t.partitions.length]),
      );
    try {
      // As an older release left them: to-notifier with 3, to-alert-system with 2 (above 1).
      await ensureTopics(admin, [
        { topic: toNotifier, partitions: 3 },
        { topic: dlqTopicOf(toNotifier), partitions: 3 },
        { topic: toAlertSystem, partitions: 2 },
        { topic: dlqTopicOf(toAlertSystem), partitions: 1 },
      ]);
      const env = {
        TOPIC_TO_NOTIFIER: toNotifier,
        TOPIC_TO_ALERT_SYSTEM: toAlertSystem,
        TO_NOTIFIER_PARTITIONS: "12",
      };
      const first = await runOnce(env);
      assert.equal(first.code, 0, JSON.stringify(first.lines));
      assert.deepEqual(await counts(), {
        [toNotifier]: 12,
        [dlqTopicOf(toNotifier)]: 12,
        [toAlertSystem]: 2,
        [dlqTopicOf(toAlertSystem)]: 1,
      });
      const raised = first.lines.filter((l) => l.msg === "topic partitions raised");
      assert.deepEqual(
        raised.map(({ topic, from, to }) => ({ topic, from, to })),
        [
          { topic: toNotifier, from: 3, to: 12 },
          { topic: dlqTopicOf(toNotifier), from: 3, to: 12 },
        ],
      );
      const above = first.lines.filter((l) => l.msg.startsWith("topic has more partitions"));
      assert.deepEqual(above.map((l) => [l.level, l.topic, l.partitions, l.configured]), [
        ["warn", toAlertSystem, 2, 1],
      ]);
      // The new partitions have leaders and full replicas.
      const { topics } = await admin.fetchTopicMetadata({ topics: [toNotifier] });
      for (const p of topics[0]!.partitions) {
        assert.ok(p.leader >= 0, `leader of ${p.partitionId}`);
        assert.equal(p.replicas.length, 3);
      }

      // A smaller count later never lowers them.
      const second = await runOnce({ ...env, TO_NOTIFIER_PARTITIONS: "6" });
      assert.equal(second.code, 0);
      assert.deepEqual(await counts(), {
        [toNotifier]: 12,
        [dlqTopicOf(toNotifier)]: 12,
        [toAlertSystem]: 2,
        [dlqTopicOf(toAlertSystem)]: 1,
      });
      assert.equal(second.lines.filter((l) => l.msg === "topic partitions raised").length, 0);
      assert.equal(
        second.lines.filter((l) => l.msg.startsWith("topic has more partitions")).length,
        3,
      );
    } finally {
      await deleteTopics(admin, all);
      await admin.disconnect();
    }
  },
);
