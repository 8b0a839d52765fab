/** tickerwatch notifier: alerts on to-notifier → e-mails over SMTP (README: Honest guarantees). */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import { loadNotifierConfig, NOTIFIER_ENV } from "../core/services/notifier_config.ts";
import { startNotifier } from "../core/services/notifier.ts";

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
