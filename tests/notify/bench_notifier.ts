/**
 * Notifier throughput (a measurement, not a test): N alerts already on a fresh topic of P
 * partitions, one notifier in this process, into an SmtpCatcher, on the real cluster and MySQL.
 *
 *   deno run -A tests/notify/bench_notifier.ts [alerts=2000] [partitions=1] [SMTP_POOL_SIZE=10] [NOTIFIER_CONCURRENCY=32]
 *
 * Prints the time from start to the last mail, from the first to the last mail, emails/s, and
 * the CPU this process (notifier and catcher together) used meanwhile.
 */
import { cpuUsage } from "node:process";
import { createLogger, loadNotifierConfig, startNotifier } from "../../core/mod.ts";
import { committedOffsets, waitFor } from "../_kafka.ts";
import { alert, notifierServices, produceAlerts } from "./_notify.ts";

const n = Number(Deno.args[0] ?? 2000);
const partitions = Number(Deno.args[1] ?? 1);
const pool = Deno.args[2] ?? "10";
const concurrency = Deno.args[3] ?? "32";

{
  await using s = await notifierServices(partitions);
  const { kafka, admin, topic, catcher } = s;
  const alerts = Array.from({ length: n }, (_, i) => alert({ email: `u${i}@example.com` }));
  for (let i = 0; i < n; i += 500) await produceAlerts(kafka, topic, alerts.slice(i, i + 500));
  const config = loadNotifierConfig(
    s.env({ SMTP_POOL_SIZE: pool, NOTIFIER_CONCURRENCY: concurrency }),
  );
  const started = performance.now();
  const cpuAtStart = cpuUsage();
  const notifier = await startNotifier(config, {
    logger: createLogger("notifier", { level: "warn" }),
  });
  await catcher.waitForMessages(1, 60_000);
  const first = performance.now();
  await catcher.waitForMessages(n, 600_000);
  const last = performance.now();
  const cpu = cpuUsage(cpuAtStart);
  await waitFor(async () => (await committedOffsets(admin, config.groupId, topic)) === n, {
    what: "all offsets committed",
  });
  const committed = performance.now();
  await notifier.stop();
  const t = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `alerts=${n} partitions=${partitions} smtpPool=${pool} concurrency=${concurrency}: start→last mail ${
      t(last - started)
    } s, ` +
      `first→last mail ${t(last - first)} s (${
        Math.round((n - 1) / ((last - first) / 1000))
      } emails/s), ` +
      `all committed at ${t(committed - started)} s; mails caught ${catcher.messages.length}; ` +
      `CPU of this process (notifier + catcher) ${
        Math.round((cpu.user + cpu.system) / 10 / (last - started))
      } % of one core`,
  );
}
Deno.exit(0);
