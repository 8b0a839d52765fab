import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { waitFor } from "../_kafka.ts";
import { queryRows } from "../helpers/mysql.ts";
import { runToEnd, ServiceProcess } from "../helpers/processes.ts";
import { alert, committedOffset, notifierServices as services, produceAlerts } from "./_notify.ts";

const COMMIT_HOLDING_NOTIFIER = fileURLToPath(
  new URL("./_commit_holding_notifier.ts", import.meta.url),
);

Deno.test(
  "notifier: a bad configuration value exits 2 with one line naming the variable",
  async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ MAIL_FROM: "nobody" }, /MAIL_FROM: must be an address/],
      [{ SMTP_URL: "http://mail:25" }, /SMTP_URL: must use smtp: or smtps:/],
      [{ SMTP_POOL_SIZE: "0" }, /SMTP_POOL_SIZE: must be ≥ 1/],
      [{ KAFKA_BROKERS: "nohost" }, /KAFKA_BROKERS: must be host:port/],
      [
        { NOTIFIER_RETRY_INITIAL_MS: "500", NOTIFIER_RETRY_MAX_MS: "100" },
        /NOTIFIER_RETRY_MAX_MS: must be ≥ 500/,
      ],
      [{ SENT_ALERT_RETENTION_S: "a week" }, /SENT_ALERT_RETENTION_S: must be an integer/],
      [{ TOPIC_TO_NOTIFIER: "no spaces" }, /TOPIC_TO_NOTIFIER: must be a Kafka topic name/],
      [{ MYSQL_URL: "mysql://u:hunter2@h:3306/bad-name" }, /MYSQL_URL: must name a database/],
    ];
    for (const [env, message] of cases) {
      const r = await runToEnd("notifier", env);
      assert.equal(r.code, 2, `${JSON.stringify(env)}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^notifier: configuration error: /);
      assert.match(lines[0]!, message);
      assert.ok(!r.stderr.includes("hunter2"), "the password must not be printed");
    }
  },
);

Deno.test("notifier: --help lists its variables and exits 0", async () => {
  const help = await runToEnd("notifier", {}, ["--help"]);
  assert.equal(help.code, 0);
  for (const v of ["SMTP_URL", "MAIL_FROM", "NOTIFIER_GROUP", "KAFKA_BROKERS", "MYSQL_URL"]) {
    assert.ok(help.stdout.includes(v), help.stdout);
  }
});

Deno.test(
  "notifier process mails an alert, and on SIGTERM stops, commits and exits 0",
  async () => {
    await using s = await services();
    const env = s.env();
    const proc = new ServiceProcess("notifier", env);
    try {
      await proc.waitForLine(/"notifier started"/, 60_000);
      await produceAlerts(s.kafka, s.topic, [alert()]);
      await s.catcher.waitForMessages(1, 30_000);
      await proc.waitForLine(/"alert mailed"/);
      const status = await proc.stop("SIGTERM");
      assert.equal(status.code, 0, proc.lines.join("\n"));
      assert.ok(proc.lines.some((l) => /"notifier stopped"/.test(l)), proc.lines.join("\n"));
      assert.equal(await committedOffset(s.admin, env.NOTIFIER_GROUP!, s.topic), "1");
    } finally {
      await proc.stop("SIGKILL");
    }
  },
);

Deno.test(
  "notifier process SIGKILLed after the SMTP send but before the commit does not mail again after a restart",
  async () => {
    await using s = await services();
    const env = s.env();
    // Fault injection: the notifier's own wiring, with each commit held back after the mail.
    const first = new ServiceProcess(COMMIT_HOLDING_NOTIFIER, env);
    let second: ServiceProcess | undefined;
    try {
      await first.waitForLine(/"notifier started"/, 60_000);
      const a = alert();
      await produceAlerts(s.kafka, s.topic, [a]);
      const held = await first.waitForLine(/"commit held"/, 30_000);
      assert.equal(JSON.parse(held).alertId, a.alert_id);
      assert.equal(s.catcher.messages.length, 1);
      assert.equal(
        (await queryRows(s.db.url, "SELECT 1 FROM sent_alerts WHERE alert_id = ?", [a.alert_id]))
          .length,
        1,
      );
      const killed = await first.stop("SIGKILL");
      assert.equal(killed.signal, "SIGKILL");
      assert.equal(await committedOffset(s.admin, env.NOTIFIER_GROUP!, s.topic), "-1");

      second = new ServiceProcess("notifier", env);
      const skipped = await second.waitForLine(/"alert already sent, skipped"/, 60_000);
      assert.equal(JSON.parse(skipped).alertId, a.alert_id);
      await waitFor(
        async () => (await committedOffset(s.admin, env.NOTIFIER_GROUP!, s.topic)) === "1",
        {
          what: "the restarted notifier's commit",
        },
      );
      assert.equal(s.catcher.messages.length, 1);
      assert.ok(!second.lines.some((l) => /"alert mailed"/.test(l)), second.lines.join("\n"));
    } finally {
      await first.stop("SIGKILL");
      await second?.stop("SIGKILL");
    }
  },
);
