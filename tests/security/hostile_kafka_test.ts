import assert from "node:assert/strict";
import {
  createLogger,
  dlqTopicOf,
  loadAlertSystemConfig,
  startAlertSystem,
} from "../../core/mod.ts";
import { KAFKA_BROKERS, randomName, waitFor } from "../_kafka.ts";
import { kafkaTopics } from "../helpers/kafka_topics.ts";
import { migratedDatabase } from "../helpers/mysql.ts";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";
import { alert, notifierEnv, produceAlerts, startTestNotifier } from "../notify/_notify.ts";
import { BAD_EMAILS, pick, prng, randomBytes } from "./_hostile.ts";

const BAD = 1_000;

/**
 * `n` messages no consumer may accept: bytes, broken or deep JSON, wrong shapes and versions,
 * prototype tricks, a field of `valid` replaced by a value of the wrong kind, and `extra` shapes.
 */
function malformed(
  n: number,
  seed: number,
  valid: Record<string, unknown>,
  extra: ((rand: () => number) => string)[] = [],
): string[] {
  const rand = prng(seed);
  const wrong = [null, {}, "x".repeat(70_000)]; // invalid for every field of both messages
  const shapes: ((rand: () => number) => string)[] = [
    () => new TextDecoder().decode(randomBytes(rand, 300)),
    () => "",
    () => "null",
    () => "[]",
    () => '"just a string"',
    () => "{".repeat(1 + Math.floor(rand() * 5000)),
    () => "[".repeat(20_000) + "]".repeat(20_000),
    () => JSON.stringify({ ...valid, version: pick(rand, [0, 2, "1", null, 1e309]) }),
    () => '{"version":1,"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}',
    () => JSON.stringify({ ...valid, [pick(rand, Object.keys(valid))]: pick(rand, wrong) }),
    ...extra,
  ];
  return Array.from({ length: n }, () => pick(rand, shapes)(rand));
}

/** How many records `topic` holds (sum of its partitions' high watermarks). */
async function recordCount(admin: import("kafkajs").Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high), 0);
}

Deno.test(
  `alert system and notifier park ${BAD} malformed messages each in their DLQ, keep consuming and mail one valid address only`,
  async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled.push(e.reason);
      e.preventDefault();
    };
    globalThis.addEventListener("unhandledrejection", onUnhandled);
    await using topics = await kafkaTopics([
      { prefix: "t-hostile-update", dlq: true },
      { prefix: "t-hostile-alert", dlq: true },
    ]);
    const [toAlertSystem, toNotifier] = topics.names as [string, string];
    await using db = await migratedDatabase();
    await using catcher = await SmtpCatcher.start();
    const alertLines: Record<string, unknown>[] = [];
    const alertSystem = await startAlertSystem(
      loadAlertSystemConfig({
        KAFKA_BROKERS: KAFKA_BROKERS.join(","),
        MYSQL_URL: db.url,
        TOPIC_TO_ALERT_SYSTEM: toAlertSystem,
        TOPIC_TO_NOTIFIER: toNotifier,
        ALERT_SYSTEM_GROUP: randomName("g-hostile"),
        METRICS_ADDR: "off",
      }),
      { logger: createLogger("alert_system", { sink: (l) => alertLines.push(JSON.parse(l)) }) },
    );
    const { notifier } = await startTestNotifier(
      notifierEnv({
        topic: toNotifier,
        mysqlUrl: db.url,
        smtpUrl: catcher.url(),
        extra: { MAX_MAILS_PER_HOUR_PER_ADDRESS: "0" },
      }),
    );
    try {
      const update = {
        version: 1,
        cycle_id: crypto.randomUUID(),
        collected_at: new Date().toISOString(),
        quotes: [{ ticker: "AAPL", price: 151.2, at: new Date().toISOString() }],
      };
      const good = alert({ email: "ok@example.com" });
      const started = performance.now();
      await Promise.all([
        produceAlerts(
          topics.kafka,
          toAlertSystem,
          malformed(BAD, 1, update, [
            (r) =>
              JSON.stringify({
                ...update,
                quotes: [{ ticker: "AAPL", price: pick(r, [-1, 0, "NaN"]), at: "now" }],
              }),
            (r) =>
              JSON.stringify({
                ...update,
                quotes: [{
                  ticker: pick(r, ["", "<script>alert(1)</script>", "' OR 1=1; --x".repeat(3)]),
                  price: 1,
                  at: update.collected_at,
                }],
              }),
          ]),
        ),
        produceAlerts(topics.kafka, toNotifier, [
          ...malformed(BAD - 2, 2, { ...good }, [
            // SQL, HTML and unicode tricks as the recipient: the schema passes them, the notifier
            // refuses anything but one valid address.
            (r) =>
              JSON.stringify({
                ...good,
                email: pick(r, BAD_EMAILS.filter((e) => e.length >= 3 && e.length <= 254)),
              }),
            (r) =>
              JSON.stringify({
                ...good,
                timestamp: pick(r, ["\u202E2026-01-05", "yesterday", "2026-13-45T99:99:99Z"]),
              }),
          ]),
          // Well-formed JSON whose recipient is two addresses, or none: parked, never mailed.
          JSON.stringify(alert({ email: "first@example.com, second@example.com" })),
          JSON.stringify(alert({ email: "victim@example.com\r\nBcc: all@example.com" })),
        ]),
      ]);
      await produceAlerts(topics.kafka, toAlertSystem, [JSON.stringify(update)]);
      await produceAlerts(topics.kafka, toNotifier, [good]);

      await waitFor(
        () => alertLines.find((l) => l.msg === "update evaluated" && l.cycleId === update.cycle_id),
        { timeoutMs: 50_000, what: "the valid update after the bad ones evaluated" },
      );
      const [mail] = await catcher.waitForMessages(1, 50_000);
      assert.deepEqual(mail!.to, ["ok@example.com"]);
      assert.equal(
        parseMessage(mail!.raw).headers.get("message-id"),
        `<${good.alert_id}@tickerwatch>`,
      );
      await waitFor(
        async () =>
          (await recordCount(topics.admin, dlqTopicOf(toAlertSystem))) >= BAD &&
          (await recordCount(topics.admin, dlqTopicOf(toNotifier))) >= BAD,
        { timeoutMs: 50_000, what: `${BAD} records in each DLQ` },
      );
      console.log(
        `${2 * BAD} malformed messages parked in ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s`,
      );
      assert.equal(await recordCount(topics.admin, dlqTopicOf(toAlertSystem)), BAD);
      assert.equal(await recordCount(topics.admin, dlqTopicOf(toNotifier)), BAD);
      assert.equal(catcher.messages.length, 1, "only the valid alert was mailed");
      assert.deepEqual(unhandled, []);
    } finally {
      await notifier.stop();
      await alertSystem.stop();
      globalThis.removeEventListener("unhandledrejection", onUnhandled);
    }
  },
);
