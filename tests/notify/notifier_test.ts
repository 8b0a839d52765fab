import assert from "node:assert/strict";
import {
  alertFromMessage,
  alertMail,
  createLogger,
  LastSentCache,
  type Mail,
  type Mailer,
  MailSendError,
  MessageHandlingError,
  MysqlDatabase,
  MysqlSentAlertLog,
  Notifier,
  SmtpMailer,
} from "../../core/mod.ts";
import { migrate } from "../../core/mysql/migrations.ts";
import { freshDatabase, queryRows } from "../helpers/mysql.ts";
import { parseMessage, SmtpCatcher } from "../helpers/smtp_catcher.ts";
import { alert } from "./_notify.ts";

const FAST = { connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 5_000 };

/** A Notifier on a real SMTP catcher and a fresh database; `mailer` replaces the SMTP one. */
async function setup(mailer?: Mailer) {
  const fresh = freshDatabase();
  const db = await MysqlDatabase.connect({ url: fresh.url });
  await migrate(db);
  const catcher = await SmtpCatcher.start();
  const smtp = new SmtpMailer({ url: catcher.url(), from: "alerts@tickerwatch.test", ...FAST });
  const lines: string[] = [];
  const notifier = new Notifier({
    mailer: mailer ?? smtp,
    sentLog: new MysqlSentAlertLog(db),
    lastSent: new LastSentCache(),
    logger: createLogger("test", { sink: (l) => lines.push(l) }),
    now: () => new Date("2026-01-05T15:31:05.000Z"),
  });
  return {
    notifier,
    catcher,
    lines,
    url: fresh.url,
    async [Symbol.asyncDispose]() {
      await smtp.close();
      await catcher.stop();
      await db.close();
      await fresh.drop();
    },
  };
}

Deno.test(
  "Notifier.handle() mails the alert with a deterministic Message-ID and records its id",
  async () => {
    await using t = await setup();
    const a = alert({
      alert_id: "0123abcd",
      ticker: "BRK-B",
      value_ticker: 497.63,
      threshold_value: 480,
    });
    assert.equal(await t.notifier.handle(a), "sent");
    const [caught] = await t.catcher.waitForMessages(1);
    assert.deepEqual(caught!.to, ["ann@example.com"]);
    const mail = parseMessage(caught!.raw);
    assert.equal(mail.headers.get("message-id"), "<0123abcd@tickerwatch>");
    assert.equal(mail.subject, "BRK-B rose above 480.00: now 497.63");
    assert.match(mail.text, /Current price: 497\.63/);
    const rows = await queryRows(
      t.url,
      "SELECT alert_id, email, ticker, threshold_type, sent_at FROM sent_alerts",
    );
    assert.deepEqual(rows, [{
      alert_id: "0123abcd",
      email: "ann@example.com",
      ticker: "BRK-B",
      threshold_type: "HIGH",
      sent_at: new Date("2026-01-05T15:31:05.000Z"),
    }]);
    assert.ok(t.lines.some((l) => /"alert mailed"/.test(l) && /0123abcd/.test(l)));
  },
);

Deno.test(
  "Notifier.handle() skips an alert id it recorded before",
  async () => {
    await using t = await setup();
    const a = alert();
    assert.equal(await t.notifier.handle(a), "sent");
    assert.equal(await t.notifier.handle(a), "already-sent");
    assert.equal(t.catcher.messages.length, 1);
    assert.ok(
      t.lines.some((l) => /"alert already sent, skipped"/.test(l) && l.includes(a.alert_id)),
    );
  },
);

Deno.test(
  "Notifier.handle() skips and records a new alert id with the price of the last mail for the condition",
  async () => {
    await using t = await setup();
    assert.equal(await t.notifier.handle(alert({ value_ticker: 151.2 })), "sent");
    const repeat = alert({ value_ticker: 151.2 });
    assert.equal(await t.notifier.handle(repeat), "repeat");
    assert.equal(await t.notifier.handle(repeat), "already-sent");
    // Another price, another condition, another ticker or another user each get their mail.
    assert.equal(await t.notifier.handle(alert({ value_ticker: 152 })), "sent");
    assert.equal(
      await t.notifier.handle(alert({ value_ticker: 152, threshold_value: 149 })),
      "sent",
    );
    assert.equal(await t.notifier.handle(alert({ value_ticker: 152, ticker: "MSFT" })), "sent");
    assert.equal(
      await t.notifier.handle(alert({ value_ticker: 152, email: "bob@example.com" })),
      "sent",
    );
    await t.catcher.waitForMessages(5);
    assert.equal(t.catcher.messages.length, 5);
    const [row] = await queryRows(t.url, "SELECT COUNT(*) AS n FROM sent_alerts");
    assert.equal(Number(row!.n), 6);
  },
);

Deno.test(
  "Notifier.handle() rethrows a retriable MailSendError and records nothing during an SMTP outage",
  async () => {
    await using t = await setup();
    const a = alert();
    t.catcher.down();
    await assert.rejects(t.notifier.handle(a), (e) => {
      assert.ok(e instanceof MailSendError, String(e));
      assert.equal(e.retriable, true);
      return true;
    });
    assert.deepEqual(await queryRows(t.url, "SELECT * FROM sent_alerts"), []);
    t.catcher.up();
    assert.equal(await t.notifier.handle(a), "sent");
    assert.equal((await t.catcher.waitForMessages(1)).length, 1);
  },
);

Deno.test(
  "Notifier.handle() turns a permanent rejection into a non-retriable MessageHandlingError",
  async () => {
    const rejecting: Mailer = {
      send: (mail: Mail) =>
        Promise.reject(
          new MailSendError(`Cannot send mail to ${mail.to}: 550 5.1.1 mailbox unavailable`, {
            retriable: false,
            responseCode: 550,
          }),
        ),
      close: () => Promise.resolve(),
    };
    await using t = await setup(rejecting);
    await assert.rejects(t.notifier.handle(alert()), (e) => {
      assert.ok(e instanceof MessageHandlingError, String(e));
      assert.equal(e.retriable, false);
      assert.match(e.message, /^Cannot notify: .*550 5\.1\.1 mailbox unavailable/);
      assert.ok(e.cause instanceof MailSendError);
      return true;
    });
    assert.deepEqual(await queryRows(t.url, "SELECT * FROM sent_alerts"), []);
    assert.ok(t.lines.some((l) => /"mail rejected for good, alert parked"/.test(l)));
  },
);

Deno.test("alertFromMessage() turns every field of the message into one Alert", () => {
  const message = alert({
    alert_id: "0123abcd",
    ticker: "EURUSD=X",
    threshold_type: "LOW",
    threshold_value: 1.175,
    value_ticker: 1.1712,
    timestamp: "2026-01-05T15:31:02.000Z",
  });
  assert.deepEqual(alertFromMessage(message), {
    alertId: "0123abcd",
    email: "ann@example.com",
    ticker: "EURUSD=X",
    thresholdType: "LOW",
    thresholdValue: 1.175,
    price: 1.1712,
    at: new Date("2026-01-05T15:31:02.000Z"),
  });
});

Deno.test("alertMail() sets the Message-ID only when the alert id is a valid local part", () => {
  const ok = alertFromMessage(alert({ alert_id: "a1.b_2-c" }));
  assert.equal(alertMail(ok).messageId, "<a1.b_2-c@tickerwatch>");
  assert.equal(alertMail(ok).subject, "AAPL rose above 150.00: now 151.20");
  const odd = alertFromMessage(alert({ alert_id: "a b@c" }));
  assert.equal(alertMail(odd).messageId, undefined);
});

Deno.test(
  "Notifier.handle() parks a confirmation request whose recipient is not one address, unsent",
  async () => {
    const sent: Mail[] = [];
    const mailer: Mailer = {
      send: (mail: Mail) => {
        sent.push(mail);
        return Promise.resolve({ messageId: "<m@test>" });
      },
      close: () => Promise.resolve(),
    };
    await using t = await setup(mailer);
    await assert.rejects(
      t.notifier.handle({
        version: 1,
        kind: "confirmation",
        confirmation_id: "c1",
        email: "first@example.com, second@example.com",
        confirm_url: "http://localhost:8080/confirm?t=x",
        expires_at: "2026-01-12T15:31:05.000Z",
      }),
      (err: unknown) => err instanceof MessageHandlingError && err.retriable === false,
    );
    assert.deepEqual(sent, []);
  },
);
