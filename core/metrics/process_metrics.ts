/** The process's own metrics: memory and start time. */
import type { MetricsRegistry } from "./metrics_registry.ts";

/**
 * Registers `process_resident_memory_bytes`, `process_heap_used_bytes` and
 * `process_start_time_seconds`, read at every render.
 */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const rss = registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
  });
  const heap = registry.gauge({
    name: "process_heap_used_bytes",
    help: "JavaScript heap in use, in bytes.",
  });
  const started = registry.gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
  });
  started.set(Math.round((Date.now() - performance.now()) / 1000));
  registry.onCollect(() => {
    const memory = Deno.memoryUsage();
    rss.set(memory.rss);
    heap.set(memory.heapUsed);
  });
}
