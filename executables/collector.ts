/** tickerwatch collector: fetches the followed tickers' prices on a schedule, stores and publishes them. */
import {
  COLLECTOR_ENV,
  loadCollectorConfig,
  runService,
  startCollector,
  usageOf,
} from "../core/mod.ts";

await runService({
  name: "collector",
  usage: usageOf(
    "collector",
    "every COLLECT_INTERVAL seconds, fetch prices, store them in MySQL and publish them on " +
      "to-alert-system. --once runs one cycle and exits.",
    COLLECTOR_ENV,
    "[--once]",
  ),
  loadConfig: loadCollectorConfig,
  start: (config, { logger, signal, args }) =>
    startCollector(config, { logger, signal, once: args.includes("--once") }),
});
