import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../core/metrics/process_metrics.ts";

/** The value of the unlabelled sample `name` in `text`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("registerProcessMetrics() exposes memory read at each scrape and the start time", async () => {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const text = await registry.metrics();
  for (
    const [name, type] of [
      ["process_resident_memory_bytes", "gauge"],
      ["process_heap_used_bytes", "gauge"],
      ["process_start_time_seconds", "gauge"],
    ]
  ) assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, "m"));
  assert.ok(sample(text, "process_resident_memory_bytes")! > 1_000_000);
  const heap = sample(text, "process_heap_used_bytes")!;
  assert.ok(heap > 0);
  const started = sample(text, "process_start_time_seconds")!;
  const now = Date.now() / 1000;
  assert.ok(started <= Math.ceil(now) && started > now - 3600, `start time ${started}`);
  const ballast = new Array(2_000_000).fill(1.5);
  const after = sample(await registry.metrics(), "process_heap_used_bytes")!;
  assert.ok(after > heap, `heap ${heap} then ${after} with ${ballast.length} numbers held`);
});
