import assert from "node:assert/strict";
import { waitFor } from "../_kafka.ts";
import { queryNumber, queryRows } from "../helpers/mysql.ts";
import { parseMessage } from "../helpers/smtp_catcher.ts";
import {
  alert,
  notifierServices as services,
  produceAlerts,
  startTestNotifier,
} from "./_notify.ts";

/** The value of an unlabelled counter on `/metrics` of `port`. */
async function counter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

Deno.test(
  "startNotifier() caps mails per address at MAX_MAILS_PER_HOUR_PER_ADDRESS across a restart and reports the held-back count in the next mail",
  async () => {
    await using s = await services();
    const env = s.env({ MAX_MAILS_PER_HOUR_PER_ADDRESS: "3" });
    const heldBack = "tickerwatch_notifier_emails_held_back_total";
    // A flapping price: every alert has its own price, so the anti-spam rule lets each through.
    const burst = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => alert({ value_ticker: 151 + from + i }));
    const other = alert({ email: "bob@example.com" });

    let running = await startTestNotifier(env);
    try {
      await produceAlerts(s.kafka, s.topic, [...burst(10, 0), other]);
      await waitFor(async () => (await counter(running.notifier.metricsPort!, heldBack)) === 7, {
        what: "7 alerts held back",
      });
      await s.catcher.waitForMessages(4, 30_000);
      const to = s.catcher.messages.map((m) => m.to[0]);
      assert.equal(to.filter((t) => t === "ann@example.com").length, 3);
      assert.equal(to.filter((t) => t === "bob@example.com").length, 1, "bob has his own cap");
      assert.ok(running.lines.some((l) => /"mail cap reached, alert held back"/.test(l)));
    } finally {
      await running.notifier.stop();
    }

    // A restart keeps the hour and the count: the next alert is held back too.
    running = await startTestNotifier(env);
    try {
      await produceAlerts(s.kafka, s.topic, burst(1, 100));
      await waitFor(async () => (await counter(running.notifier.metricsPort!, heldBack)) === 1, {
        what: "the alert after the restart held back",
      });
      assert.equal(
        await queryNumber(s.db.url, "SELECT held_back FROM mail_caps WHERE email = ?", [
          "ann@example.com",
        ]),
        8,
      );
      assert.equal(s.catcher.messages.length, 4);

      // The hour is over: the next mail goes out and tells of the 8 held back.
      await queryRows(
        s.db.url,
        "UPDATE mail_caps SET window_start = window_start - INTERVAL 1 HOUR WHERE email = ?",
        ["ann@example.com"],
      );
      const next = alert({ value_ticker: 300 });
      await produceAlerts(s.kafka, s.topic, [next]);
      const caught = await s.catcher.waitForMessages(5, 30_000);
      const mail = parseMessage(caught[4]!.raw);
      assert.equal(mail.headers.get("message-id"), `<${next.alert_id}@tickerwatch>`);
      assert.match(mail.subject, /\(and 8 more alerts held back\)$/);
      assert.match(mail.text, /And 8 more alerts held back: this address gets at most 3 alert/);
      assert.match(mail.html, /And 8 more alerts held back/);
      await waitFor(
        async () =>
          (await queryNumber(s.db.url, "SELECT held_back FROM mail_caps WHERE email = ?", [
            "ann@example.com",
          ])) === 0,
        { what: "the held-back count reset after it was reported" },
      );
    } finally {
      await running.notifier.stop();
    }
  },
);
