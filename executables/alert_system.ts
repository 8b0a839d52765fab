/** tickerwatch alert system: turns each cycle's prices into one alert per crossed threshold. */
import {
  ALERT_SYSTEM_ENV,
  loadAlertSystemConfig,
  runService,
  startAlertSystem,
  usageOf,
} from "../core/mod.ts";

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
