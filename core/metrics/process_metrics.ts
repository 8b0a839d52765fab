/** The process's own metrics: memory and start time. */
import { Gauge, type Registry } from "prom-client";

/**
 * Registers `process_resident_memory_bytes`, `process_heap_used_bytes` and
 * `process_start_time_seconds` on `registry`, the memory read from `Deno.memoryUsage()` at every
 * scrape. prom-client's `collectDefaultMetrics()` is not used: under Deno it reads the resident
 * memory from /proc/self/status, which Deno opens only with --allow-all, so our binaries would
 * report 0; it has no `process_heap_used_bytes`, and its event-loop gauges read NaN under Deno.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * registerProcessMetrics(registry);
 * ```
 */
export function registerProcessMetrics(registry: Registry): void {
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new Gauge({
    name: "process_heap_used_bytes",
    help: "JavaScript heap in use, in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers: [registry],
  }).set(Math.round((Date.now() - performance.now()) / 1000));
}
