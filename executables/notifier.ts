/** tickerwatch notifier: alerts on to-notifier → one email each, over SMTP. */
import {
  loadNotifierConfig,
  NOTIFIER_ENV,
  runService,
  startNotifier,
  usageOf,
} from "../core/mod.ts";

await runService({
  name: "notifier",
  usage: usageOf(
    "notifier",
    "mails each alert of to-notifier exactly once (idempotent per alert_id, no repeated prices).",
    NOTIFIER_ENV,
  ),
  loadConfig: loadNotifierConfig,
  start: (config, { logger, signal }) => startNotifier(config, { logger, signal }),
});
