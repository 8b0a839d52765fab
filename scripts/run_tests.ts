/**
 * `deno task test`: the whole suite against real services. Starts the local 3-broker Kafka
 * cluster when no broker answers (and stops it afterwards, only if it started it), then runs
 * `deno test` on tests/ with any extra arguments, e.g. `deno task test --filter CommandService`.
 * MySQL must be running (`.ci/run` starts it on a fresh machine).
 */
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { ensureLocalKafka } from "./local_kafka.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const kafka = await ensureLocalKafka({ say: (line) => console.error(`run_tests: ${line}`) });
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
  if (kafka.started) {
    console.error("run_tests: stopping the Kafka cluster this run started");
    await kafka.stop().catch((err) => console.error(`run_tests: ${err.message}`));
  }
}
Deno.exit(code);
