import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { CollectorMetrics } from "../../core/collector/collector_metrics.ts";

async function value(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

Deno.test("CollectorMetrics.recordCycle() counts a partial fetch once per cycle and stale quotes each", async () => {
  const registry = new Registry();
  const metrics = new CollectorMetrics(registry);
  const cycle = { cycleId: "c", tickers: 5, quotes: 2, unknown: [] };
  metrics.recordCycle({ ...cycle, notFetched: ["BRK-B", "MSFT", "NVDA"], stale: ["OCDO.L"] });
  metrics.recordCycle({ ...cycle, notFetched: [], stale: ["OCDO.L", "AAPL"] });
  assert.equal(await value(registry, "tickerwatch_collector_partial_fetches_total"), 1);
  assert.equal(await value(registry, "tickerwatch_collector_stale_quotes_total"), 3);
  assert.equal(await value(registry, "tickerwatch_collector_quotes_stored_total"), 4);
});
