/** tickerwatch alert system: turns each cycle's prices into one alert per crossed threshold. */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import { ALERT_SYSTEM_ENV, loadAlertSystemConfig } from "../core/services/alert_system_config.ts";
import { startAlertSystem } from "../core/services/alert_system.ts";

await runService({
  name: "alert-system",
  usage: usageOf(
    "alert-system",
    "consumes to-alert-system, evaluates every threshold of the cycle's tickers in one query, " +
      "publishes alerts on to-notifier.",
    ALERT_SYSTEM_ENV,
  ),
  loadConfig: loadAlertSystemConfig,
  start: (config, { logger, signal }) => startAlertSystem(config, { logger, signal }),
});
