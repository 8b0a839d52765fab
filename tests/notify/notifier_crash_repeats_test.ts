import assert from "node:assert/strict";
import { parseMessage } from "../helpers/smtp_catcher.ts";
import { ServiceProcess } from "../helpers/processes.ts";
import { waitFor } from "../_kafka.ts";
import { alert, notifierServices as services, produceAlerts } from "./_notify.ts";

const BURST = 300;
const POOL = 4;
const CONCURRENCY = 8;

/** Message-IDs of the caught mails, in arrival order. */
function messageIds(raws: readonly { raw: string }[]): string[] {
  return raws.map((m) => parseMessage(m.raw).headers.get("message-id") ?? "");
}

Deno.test(
  "notifier process SIGKILLed mid-burst loses no alert and repeats at most NOTIFIER_CONCURRENCY mails, each with its Message-ID",
  async () => {
    // Four partitions processed concurrently: the bound is still NOTIFIER_CONCURRENCY in all.
    await using s = await services(4);
    const env = s.env({
      SMTP_POOL_SIZE: String(POOL),
      NOTIFIER_CONCURRENCY: String(CONCURRENCY),
    });
    // One recipient per alert: neither the anti-spam rule nor the per-address cap holds any back.
    const alerts = Array.from({ length: BURST }, (_, i) => alert({ email: `u${i}@example.com` }));
    const first = new ServiceProcess("notifier", env);
    let second: ServiceProcess | undefined;
    try {
      await first.waitForLine(/"notifier started"/, 60_000);
      await produceAlerts(s.kafka, s.topic, alerts);
      // Polled every millisecond, so the kill lands while mails are being accepted.
      await waitFor(() => s.catcher.messages.length >= BURST / 5, {
        timeoutMs: 60_000,
        intervalMs: 1,
        what: `${BURST / 5} mails`,
      });
      const killed = await first.stop("SIGKILL");
      assert.equal(killed.signal, "SIGKILL");
      const beforeRestart = s.catcher.messages.length;
      assert.ok(beforeRestart < BURST, `the kill came after the burst (${beforeRestart} mails)`);

      second = new ServiceProcess("notifier", env);
      const expected = new Set(alerts.map((a) => `<${a.alert_id}@tickerwatch>`));
      await waitFor(
        () =>
          new Set(messageIds(s.catcher.messages).filter((id) => expected.has(id))).size >= BURST,
        { timeoutMs: 90_000, what: `all ${BURST} alerts mailed` },
      );
      await second.waitForLine(/"notifier started"/);

      const ids = messageIds(s.catcher.messages);
      assert.deepEqual(new Set(ids), expected, "every alert mailed, each under its own Message-ID");
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      const repeated = [...counts].filter(([, n]) => n > 1);
      const repeats = ids.length - expected.size;
      assert.ok(
        repeats <= CONCURRENCY,
        `${repeats} repeats exceed NOTIFIER_CONCURRENCY=${CONCURRENCY}: ${repeated}`,
      );
      for (const [id, n] of repeated) {
        assert.equal(n, 2, `${id} was mailed ${n} times after one kill`);
        const raws = s.catcher.messages.filter((m) =>
          parseMessage(m.raw).headers.get("message-id") === id
        );
        assert.equal(parseMessage(raws[0]!.raw).subject, parseMessage(raws[1]!.raw).subject);
      }
      console.log(`kill after ${beforeRestart} mails: ${repeats} repeated (bound ${CONCURRENCY})`);
    } finally {
      await first.stop("SIGKILL");
      await second?.stop("SIGKILL");
    }
  },
);
