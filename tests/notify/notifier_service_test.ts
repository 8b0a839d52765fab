import assert from "node:assert/strict";
import { dlqTopicOf, type DlqValue } from "../../core/mod.ts";
import { waitFor } from "../_kafka.ts";
import { queryRows } from "../helpers/mysql.ts";
import { parseMessage } from "../helpers/smtp_catcher.ts";
import {
  alert,
  committedOffset,
  notifierServices as services,
  produceAlerts,
  startTestNotifier,
} from "./_notify.ts";

Deno.test(
  "startNotifier() mails an alert produced on its topic once, with recipient, subject and body",
  async () => {
    await using s = await services();
    const { notifier, config } = await startTestNotifier(s.env());
    try {
      const a = alert({
        email: "ann@example.com",
        ticker: "EURUSD=X",
        threshold_type: "LOW",
        threshold_value: 1.1,
        value_ticker: 1.09875,
      });
      await produceAlerts(s.kafka, s.topic, [a]);
      const [caught] = await s.catcher.waitForMessages(1, 30_000);
      assert.deepEqual(caught!.to, ["ann@example.com"]);
      const mail = parseMessage(caught!.raw);
      assert.equal(mail.from, "tickerwatch <alerts@tickerwatch.local>");
      assert.equal(mail.subject, "EURUSD=X fell below 1.10: now 1.09875");
      assert.equal(mail.headers.get("message-id"), `<${a.alert_id}@tickerwatch>`);
      for (const body of [mail.text, mail.html]) {
        for (const part of ["EURUSD=X", "1.09875", "1.10", "LOW", "fell below", a.timestamp]) {
          assert.ok(body.includes(part), `${part} missing in ${body}`);
        }
      }
      await waitFor(async () => (await committedOffset(s.admin, config.groupId, s.topic)) === "1", {
        what: "the offset commit",
      });
      assert.equal(s.catcher.messages.length, 1);
    } finally {
      await notifier.stop();
    }
  },
);

Deno.test(
  "startNotifier() mails once for an alert id delivered twice and once for a repeated price",
  async () => {
    await using s = await services();
    const { notifier, config, lines } = await startTestNotifier(s.env());
    try {
      const first = alert({ value_ticker: 151.2 });
      const samePrice = alert({ value_ticker: 151.2 }); // another alert id, same condition and price
      const last = alert({ value_ticker: 153 });
      await produceAlerts(s.kafka, s.topic, [first]);
      await produceAlerts(s.kafka, s.topic, [first]);
      await produceAlerts(s.kafka, s.topic, [samePrice]);
      await produceAlerts(s.kafka, s.topic, [last]);
      await waitFor(async () => (await committedOffset(s.admin, config.groupId, s.topic)) === "4", {
        what: "all four offsets committed",
      });
      assert.deepEqual(
        s.catcher.messages.map((m) => parseMessage(m.raw).headers.get("message-id")),
        [`<${first.alert_id}@tickerwatch>`, `<${last.alert_id}@tickerwatch>`],
      );
      assert.ok(
        lines.some((l) => /"alert already sent, skipped"/.test(l) && l.includes(first.alert_id)),
      );
      assert.ok(
        lines.some((l) => /"same price as the last mail/.test(l) && l.includes(samePrice.alert_id)),
      );
      const ids = await queryRows(s.db.url, "SELECT alert_id FROM sent_alerts ORDER BY alert_id");
      assert.deepEqual(
        ids.map((r) => r.alert_id).sort(),
        [first, samePrice, last].map((a) => a.alert_id).sort(),
      );
    } finally {
      await notifier.stop();
    }
  },
);

Deno.test(
  "startNotifier() keeps retrying through an SMTP outage without committing, then mails once",
  async () => {
    await using s = await services();
    s.catcher.down();
    const { notifier, config, lines } = await startTestNotifier(s.env());
    try {
      const a = alert();
      await produceAlerts(s.kafka, s.topic, [a]);
      // Several retries later (not a fixed sleep), still nothing committed, recorded or mailed.
      await waitFor(() => lines.filter((l) => /"handler failed, retrying"/.test(l)).length >= 5, {
        timeoutMs: 30_000,
        what: "five failed attempts",
      });
      assert.equal(await committedOffset(s.admin, config.groupId, s.topic), "-1");
      assert.deepEqual(await queryRows(s.db.url, "SELECT * FROM sent_alerts"), []);
      assert.equal(s.catcher.messages.length, 0);
      s.catcher.up();
      const [caught] = await s.catcher.waitForMessages(1, 15_000);
      assert.deepEqual(caught!.to, [a.email]);
      await waitFor(async () => (await committedOffset(s.admin, config.groupId, s.topic)) === "1", {
        what: "the commit after the outage",
      });
      // The commit follows the mail, so any second mail for this alert would be here by now.
      assert.equal(s.catcher.messages.length, 1);
    } finally {
      await notifier.stop();
    }
  },
);

Deno.test(
  "startNotifier() parks a malformed message and a permanently rejected mail in the DLQ and mails the next alert",
  async () => {
    await using s = await services();
    const { notifier, config } = await startTestNotifier(s.env());
    const dlq: DlqValue[] = [];
    const consumer = s.kafka.consumer({ groupId: `${config.groupId}-dlq-reader` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: dlqTopicOf(s.topic), fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          dlq.push(JSON.parse(message.value!.toString()));
          return Promise.resolve();
        },
      });
      const good = alert({ email: "bob@example.com" });
      await produceAlerts(s.kafka, s.topic, ['{"version":1,"alert_id":"x"}']);
      await produceAlerts(s.kafka, s.topic, [alert({ email: "no such mailbox" })]);
      await produceAlerts(s.kafka, s.topic, [good]);
      const [caught] = await s.catcher.waitForMessages(1, 30_000);
      assert.deepEqual(caught!.to, ["bob@example.com"]);
      await waitFor(() => dlq.length === 2, { what: "two parked messages" });
      assert.match(dlq[0]!.reason, /^schema validation failed: /);
      assert.equal(dlq[0]!.original, '{"version":1,"alert_id":"x"}');
      assert.match(dlq[1]!.reason, /^handler failed \(not retriable\): Cannot notify: /);
      assert.match(dlq[1]!.original ?? "", /no such mailbox/);
      await waitFor(async () => (await committedOffset(s.admin, config.groupId, s.topic)) === "3", {
        what: "all three offsets committed",
      });
      assert.equal(s.catcher.messages.length, 1);
    } finally {
      await consumer.disconnect();
      await notifier.stop();
    }
  },
);
