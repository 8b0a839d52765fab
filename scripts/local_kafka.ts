/**
 * "Is Kafka up, else start it", for the test runner, the Kafka tests, the demo and the
 * benchmarks. The broker list is core's (`KAFKA_BROKERS`, default DEFAULT_KAFKA_BROKERS); the
 * local 3-broker cluster is scripts/kafka_cluster.sh, started only when every broker is the
 * local default one and none answers, and stopped only by whoever started it.
 */
import { fileURLToPath } from "node:url";
import { EnvReader } from "../core/mod.ts";
import { DEFAULT_KAFKA_BROKERS, readKafkaBrokers } from "../core/config/common_config.ts";

const CLUSTER_SCRIPT = fileURLToPath(new URL("./kafka_cluster.sh", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The brokers `env` names (`KAFKA_BROKERS`), or the local cluster's three. */
export function kafkaBrokers(env: Record<string, string> = Deno.env.toObject()): string[] {
  return readKafkaBrokers(new EnvReader(env));
}

/** How many brokers of `brokers` accept a TCP connection. */
export async function brokersAnswering(brokers: readonly string[]): Promise<number> {
  const answers = await Promise.all(brokers.map(async (hostPort) => {
    const colon = hostPort.lastIndexOf(":");
    try {
      const conn = await Deno.connect({
        hostname: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
      });
      conn.close();
      return true;
    } catch {
      return false;
    }
  }));
  return answers.filter(Boolean).length;
}

/**
 * Runs scripts/kafka_cluster.sh with `args` (start, stop, status, kill N, start-node N); its
 * output is returned, or shown as it comes with `inherit`.
 *
 * @throws {Error} with the script's output when it fails
 */
export async function clusterScript(
  args: string[],
  { inherit = false }: { inherit?: boolean } = {},
): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [CLUSTER_SCRIPT, ...args],
    cwd: ROOT,
    stdout: inherit ? "inherit" : "piped",
    stderr: inherit ? "inherit" : "piped",
  }).output();
  const text = inherit
    ? ""
    : new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(
      `scripts/kafka_cluster.sh ${args.join(" ")} failed (exit ${out.code})\n${text}`,
    );
  }
  return text;
}

/** The cluster {@linkcode ensureLocalKafka} found or started. */
export interface LocalKafka {
  /** The bootstrap brokers. */
  readonly brokers: string[];
  /** Whether this call started the local cluster. */
  readonly started: boolean;
  /** Stops the cluster if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
  /** {@linkcode stop} for an `unload` listener, where nothing can be awaited. */
  stopSync(): void;
}

/**
 * Makes sure the cluster runs: when no broker answers and they are the local default ones,
 * starts the local cluster with scripts/kafka_cluster.sh (the first start fetches the jars with
 * Maven). A cluster where some brokers answer is left alone: a test may have killed one node.
 *
 * @param say receives one line when the cluster is started (default: stderr)
 * @param inherit shows kafka_cluster.sh's output as it comes instead of capturing it
 * @throws {Error} when the brokers are not the local ones and do not answer, or the start fails
 */
export async function ensureLocalKafka(
  { env = Deno.env.toObject(), say = (line: string) => console.error(line), inherit = false }: {
    env?: Record<string, string>;
    say?: (line: string) => void;
    inherit?: boolean;
  } = {},
): Promise<LocalKafka> {
  const brokers = kafkaBrokers(env);
  const up = { brokers, started: false, stop: () => Promise.resolve(), stopSync: () => {} };
  if (await brokersAnswering(brokers) > 0) return up;
  if (brokers.join(",") !== DEFAULT_KAFKA_BROKERS) {
    throw new Error(
      `no Kafka broker answers at ${brokers.join(",")} (KAFKA_BROKERS); start that cluster, ` +
        "or unset KAFKA_BROKERS to use the local one (scripts/kafka_cluster.sh)",
    );
  }
  say("no Kafka broker answers; starting the local 3-broker cluster (scripts/kafka_cluster.sh)");
  await clusterScript(["start"], { inherit });
  let stopped = false;
  return {
    brokers,
    started: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await clusterScript(["stop"], { inherit });
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      new Deno.Command("bash", { args: [CLUSTER_SCRIPT, "stop"], stdout: "null", stderr: "null" })
        .outputSync();
    },
  };
}
