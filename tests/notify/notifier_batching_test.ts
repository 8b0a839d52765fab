import assert from "node:assert/strict";
import {
  ConsumerRunner,
  createLogger,
  LastSentCache,
  MailCap,
  MysqlDatabase,
  MysqlMailCapStore,
  MysqlSentAlertLog,
  Notifier,
  NotifierMessageSchema,
  SmtpMailer,
} from "../../core/mod.ts";
import { migrate } from "../../core/mysql/migrations.ts";
import { committedOffsets, randomName, waitFor } from "../_kafka.ts";
import { queryNumber, queryRows } from "../helpers/mysql.ts";
import { parseMessage } from "../helpers/smtp_catcher.ts";
import {
  alert,
  notifierServices as services,
  produceAlerts,
  startTestNotifier,
} from "./_notify.ts";

const PARTITIONS = 4;

Deno.test(
  "the notifier reads its dedup record and the mail caps once per chunk and group-commits its dedup and cap writes: far fewer statements than mails, every row there",
  async () => {
    await using s = await services(PARTITIONS);
    const N = 300;
    const alerts = Array.from({ length: N }, (_, i) => alert({ email: `u${i}@example.com` }));
    await produceAlerts(s.kafka, s.topic, alerts);
    const db = await MysqlDatabase.connect({ url: s.db.url });
    await migrate(db);
    const sentLog = new MysqlSentAlertLog(db);
    const capStore = new MysqlMailCapStore(db);
    const mailer = new SmtpMailer({
      url: s.catcher.url(),
      from: "a@tickerwatch.test",
      maxConnections: 4,
    });
    const notifier = new Notifier({
      mailer,
      sentLog,
      lastSent: new LastSentCache(),
      cap: new MailCap({ store: capStore, maxPerHour: 20 }),
      logger: createLogger("test", { sink: () => {} }),
    });
    const groupId = randomName("g-batching");
    let chunks = 0;
    const runner = await ConsumerRunner.start({
      kafka: s.kafka,
      groupId,
      topic: s.topic,
      schema: NotifierMessageSchema,
      concurrency: 16,
      // As startNotifier wires it: one dedup read per chunk.
      beforeChunk: (messages) => {
        chunks++;
        return notifier.prefetch(messages.map((m) => m.value));
      },
      afterChunk: (messages) => notifier.forget(messages.map((m) => m.value)),
      handler: async ({ value }) => {
        await notifier.handle(value);
      },
    });
    try {
      await waitFor(async () => (await committedOffsets(s.admin, groupId, s.topic)) === N, {
        timeoutMs: 60_000,
        what: `all ${N} offsets committed`,
      });
      assert.equal(s.catcher.messages.length, N);
      assert.equal(await queryNumber(s.db.url, "SELECT COUNT(*) FROM sent_alerts"), N);
      assert.equal(
        await queryNumber(s.db.url, "SELECT COUNT(*) FROM mail_caps WHERE sent = 1"),
        N,
      );
      const log = sentLog.statements;
      const cap = capStore.statements;
      console.log(
        `${N} mails in ${chunks} chunks: sent_alerts ${JSON.stringify(log)}, mail_caps ${
          JSON.stringify(cap)
        }`,
      );
      // The dedup and cap reads: at most one per chunk each (prefetched), none per alert.
      assert.ok(log.selects >= 1 && log.selects <= chunks, `${log.selects} dedup reads`);
      assert.ok(cap.selects >= 1 && cap.selects <= chunks, `${cap.selects} cap reads`);
      // The writes are group-committed; one per mail (the old way) would be 300 of each.
      for (const [what, count] of Object.entries({ inserts: log.inserts, upserts: cap.upserts })) {
        assert.ok(count >= 1 && count <= N / 3, `${count} ${what} statements for ${N} mails`);
      }
    } finally {
      await runner.stop();
      await mailer.close();
      await db.close();
    }
  },
);

Deno.test(
  "startNotifier() over concurrently processed partitions mails each user's alerts in the order they were produced",
  async () => {
    await using s = await services(PARTITIONS);
    const USERS = 12;
    const EACH = 15;
    // Rising prices, so the anti-spam rule holds none back; the cap is off.
    const alerts = Array.from(
      { length: EACH },
      (_, seq) =>
        Array.from({ length: USERS }, (_, u) =>
          alert({
            email: `user${u}@example.com`,
            alert_id: `u${u}s${seq}`,
            value_ticker: 151 + seq,
          })),
    ).flat();
    await produceAlerts(s.kafka, s.topic, alerts);
    const { notifier, config } = await startTestNotifier(
      s.env({
        NOTIFIER_CONCURRENCY: "6",
        SMTP_POOL_SIZE: "4",
        MAX_MAILS_PER_HOUR_PER_ADDRESS: "0",
      }),
    );
    try {
      await s.catcher.waitForMessages(alerts.length, 60_000);
      await waitFor(
        async () => (await committedOffsets(s.admin, config.groupId, s.topic)) === alerts.length,
        { what: "all offsets committed" },
      );
      const byUser = new Map<string, number[]>();
      for (const m of s.catcher.messages) {
        const id = parseMessage(m.raw).headers.get("message-id") ?? "";
        const [, user, seq] = /^<u(\d+)s(\d+)@tickerwatch>$/.exec(id) ?? [];
        assert.ok(user !== undefined, id);
        byUser.set(user, [...(byUser.get(user) ?? []), Number(seq)]);
      }
      assert.equal(byUser.size, USERS);
      for (const [user, seqs] of byUser) {
        assert.deepEqual(seqs, Array.from({ length: EACH }, (_, i) => i), `user${user}'s mails`);
      }
    } finally {
      await notifier.stop();
    }
  },
);

Deno.test(
  "startNotifier() over several partitions commits nothing and records nothing while SMTP refuses, then mails each alert once",
  async () => {
    await using s = await services(PARTITIONS);
    const N = 40;
    const alerts = Array.from({ length: N }, (_, i) => alert({ email: `u${i}@example.com` }));
    s.catcher.down();
    const { notifier, config, lines } = await startTestNotifier(
      s.env({ NOTIFIER_CONCURRENCY: "8" }),
    );
    try {
      await produceAlerts(s.kafka, s.topic, alerts);
      await waitFor(() => lines.filter((l) => /"handler failed, retrying"/.test(l)).length >= 20, {
        timeoutMs: 30_000,
        what: "twenty failed attempts",
      });
      assert.equal(await committedOffsets(s.admin, config.groupId, s.topic), 0);
      assert.deepEqual(await queryRows(s.db.url, "SELECT * FROM sent_alerts"), []);
      assert.equal(s.catcher.messages.length, 0);
      s.catcher.up();
      await s.catcher.waitForMessages(N, 30_000);
      await waitFor(async () => (await committedOffsets(s.admin, config.groupId, s.topic)) === N, {
        what: "all offsets committed after the outage",
      });
      const ids = s.catcher.messages.map((m) => parseMessage(m.raw).headers.get("message-id"));
      assert.equal(new Set(ids).size, N);
      assert.equal(ids.length, N, "each alert mailed once");
    } finally {
      await notifier.stop();
    }
  },
);
