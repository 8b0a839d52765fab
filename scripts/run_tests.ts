/**
 * `deno task test`: the whole suite against real services. Starts the local 3-broker Kafka
 * cluster when no broker answers (and stops it afterwards, only if it started it), then runs
 * `deno test` on tests/ with any extra arguments, e.g. `deno task test --filter CommandService`.
 * MySQL must be running (`.ci/run` starts it on a fresh machine).
 */
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLUSTER = `${ROOT}scripts/kafka_cluster.sh`;
const BROKERS = (Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092")
  .split(",");

async function answers(hostPort: string): Promise<boolean> {
  const [hostname, port] = [
    hostPort.slice(0, hostPort.lastIndexOf(":")),
    hostPort.slice(hostPort.lastIndexOf(":") + 1),
  ];
  try {
    (await Deno.connect({ hostname, port: Number(port) })).close();
    return true;
  } catch {
    return false;
  }
}

async function cluster(command: string): Promise<void> {
  const { code } = await new Deno.Command("bash", { args: [CLUSTER, command], cwd: ROOT }).spawn()
    .status;
  if (code !== 0) {
    throw new Error(`scripts/kafka_cluster.sh ${command} failed with exit code ${code}`);
  }
}

const running = (await Promise.all(BROKERS.map(answers))).every(Boolean);
const startedKafka = !running && !Deno.env.get("KAFKA_BROKERS");
if (startedKafka) {
  console.error("run_tests: no Kafka broker answers; starting the local cluster");
  await cluster("start");
}
let code = 1;
try {
  const test = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", ...Deno.args, "tests/"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Pass the output through, and remember deno test's closing counts.
  let summary: { passed: number; failed: number } | undefined;
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of test.stdout) {
    for (let n = 0; n < chunk.length;) n += await Deno.stdout.write(chunk.subarray(n));
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
    const plain = stripVTControlCharacters(tail);
    const m = [...plain.matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g)].at(-1);
    if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
  }
  code = (await test.status).code;
  // The plain closing line CI reads, alone on its line.
  if (summary) console.log(`\n${summary.passed} passed, ${summary.failed} failed`);
} finally {
  if (startedKafka) {
    console.error("run_tests: stopping the Kafka cluster this run started");
    await cluster("stop").catch((err) => console.error(`run_tests: ${err.message}`));
  }
}
Deno.exit(code);
