/**
 * The notifier as its executable wires it (same config, same startNotifier), except that each
 * alert's offset commit is held back forever once its mail was sent and recorded: the
 * "commit held" line tells notifier_process_test.ts to SIGKILL it inside that window.
 * Usage: deno run -A tests/notify/_commit_holding_notifier.ts (environment as for the notifier)
 */
import { createLogger, loadNotifierConfig, startNotifier } from "../../core/mod.ts";

const config = loadNotifierConfig(Deno.env.toObject());
const logger = createLogger("notifier", { level: config.logLevel });
await startNotifier(config, {
  logger,
  beforeCommit: (alert) => {
    logger.info("commit held", { alertId: alert.alert_id });
    return new Promise(() => {}); // the SIGKILL comes first
  },
});
