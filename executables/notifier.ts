/** tickerwatch notifier: alerts on to-notifier → e-mails over SMTP (README: Honest guarantees). */
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
    "mails each alert of to-notifier: none lost, repeats only for mails in flight at a crash\n" +
      "(at most NOTIFIER_CONCURRENCY, same Message-ID); idempotent per alert_id, no repeated prices.",
    NOTIFIER_ENV,
  ),
  loadConfig: loadNotifierConfig,
  start: (config, { logger, signal }) => startNotifier(config, { logger, signal }),
});
