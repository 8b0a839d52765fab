/**
 * Double opt-in and one-click unsubscribe end to end: a command server with REQUIRE_CONFIRMATION
 * on (real MySQL, its mail relay on a real Kafka topic, its public HTTP listener), a notifier on
 * that topic mailing into the SMTP catcher, and fetch() against the links found in the mails.
 */
import assert from "node:assert/strict";
import {
  alertMessageOf,
  alertOf,
  ConsentLinks,
  DEVELOPMENT_LINK_KEY,
  type Email,
  LinkSigner,
  MysqlDatabase,
  MysqlThresholdEvaluator,
} from "../../core/mod.ts";
import { userServiceClients } from "../helpers/grpc.ts";
import { queryNumber, queryRows } from "../helpers/mysql.ts";
import { commandServer } from "../helpers/servers.ts";
import { withServices } from "../helpers/services.ts";
import { type CaughtMessage, parseMessage } from "../helpers/smtp_catcher.ts";
import { waitFor } from "../helpers/wait.ts";
import { notifierServices, produceAlerts, startTestNotifier } from "../notify/_notify.ts";

const BASE = "http://localhost:8080";

/** A command server with double opt-in and a notifier, on fresh topic, database and catcher. */
async function consentStack(s: Parameters<Parameters<typeof withServices>[0]>[0]) {
  const env = s.use(await notifierServices());
  const { notifier } = await startTestNotifier(env.env({ METRICS_ADDR: "off" }));
  s.use(notifier);
  const server = s.use(
    await commandServer(env.db.url, {
      REQUIRE_CONFIRMATION: "on",
      PUBLIC_HTTP_ADDR: "127.0.0.1:0",
      PUBLIC_BASE_URL: BASE,
      KAFKA_BROKERS: env.env().KAFKA_BROKERS!,
      TOPIC_TO_NOTIFIER: env.topic,
    }),
  );
  const clients = s.use(userServiceClients(server.port));
  // The mails carry PUBLIC_BASE_URL; the test reaches the listener on its free port.
  const local = (link: string) => {
    const url = new URL(link);
    return `http://127.0.0.1:${server.publicPort}${url.pathname}${url.search}`;
  };
  const mailTo = async (email: string, n = 1): Promise<CaughtMessage[]> => {
    await waitFor(() => env.catcher.messages.filter((m) => m.to.includes(email)).length >= n, {
      timeoutMs: 20_000,
    });
    return env.catcher.messages.filter((m) => m.to.includes(email));
  };
  const register = (email: string) =>
    clients.command("RegisterUser", {
      email,
      ticker: "AAPL",
      high_value: 200,
      request_id: crypto.randomUUID(),
    });
  return { env, server, clients, local, mailTo, register };
}

/** `link` with one character of its signature changed (not the last: it holds padding bits). */
function tamper(link: string): string {
  const i = link.length - 5;
  return link.slice(0, i) + (link[i] === "A" ? "g" : "A") + link.slice(i + 1);
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`https?://\\S+${path}\\?t=[A-Za-z0-9_.-]+`).exec(text);
  assert.ok(m, `no ${path} link in:\n${text}`);
  return m[0];
}

Deno.test(
  "double opt-in: one confirmation mail, no alert before the link is followed, alerts with RFC 8058 unsubscribe after",
  async () => {
    await withServices(async (s) => {
      const { env, local, mailTo, register, clients } = await consentStack(s);
      const email = "ada@example.com";
      const registered = await register(email);
      assert.equal(registered.code, 0);
      assert.match(String(registered.response?.message), /success.*not confirmed yet/);
      const login = await clients.command("LoginUser", { email, request_id: crypto.randomUUID() });
      assert.match(String(login.response?.message), /not confirmed yet/);

      const [confirmation] = await mailTo(email);
      const mail = parseMessage(confirmation!.raw);
      assert.equal(mail.subject, "Confirm your tickerwatch alerts");
      const link = linkIn(mail.text, "/confirm");
      assert.ok(link.startsWith(`${BASE}/confirm?t=`));
      assert.ok(mail.html.includes("/confirm?t="));

      // Not confirmed: the evaluator skips the address.
      const db = s.use(await MysqlDatabase.connect({ url: env.db.url }));
      const evaluator = new MysqlThresholdEvaluator(db, { mode: "edge", hysteresis: 0.005 });
      const quote = { ticker: "AAPL", price: 210, at: new Date("2026-01-05T15:31:00Z") } as never;
      assert.deepEqual((await evaluator.evaluate([quote])).crossings, []);

      // GET shows a page with a form; the POST confirms; a second POST is refused.
      const page = await fetch(local(link));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<form method="post"/);
      const confirmed = await fetch(local(link), { method: "POST" });
      assert.equal(confirmed.status, 200);
      assert.match(await confirmed.text(), /Confirmed/);
      const reused = await fetch(local(link), { method: "POST" });
      assert.equal(reused.status, 409);
      await reused.body?.cancel();
      const login2 = await clients.command("LoginUser", { email, request_id: crypto.randomUUID() });
      assert.doesNotMatch(String(login2.response?.message), /not confirmed/);

      // Confirmed: the same price now fires, and the alert mail carries the unsubscribe link.
      const { crossings } = await evaluator.evaluate([quote]);
      assert.equal(crossings.length, 1);
      await produceAlerts(env.kafka, env.topic, [
        alertMessageOf(alertOf("cycle-1", crossings[0]!)),
      ]);
      const mails = await mailTo(email, 2);
      const alertMail = parseMessage(mails[1]!.raw);
      assert.match(alertMail.subject, /AAPL rose above/);
      const header = alertMail.headers.get("list-unsubscribe") ?? "";
      assert.match(header, /^<http:\/\/localhost:8080\/unsubscribe\?t=[^>]+>$/);
      assert.equal(alertMail.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
      const unsubscribe = header.slice(1, -1);
      assert.ok(alertMail.text.includes(unsubscribe), "visible link in the text part");
      assert.ok(alertMail.html.includes(`href="${unsubscribe}"`), "visible link in the HTML part");

      // One click: a POST as RFC 8058 describes removes the subscription at once.
      const response = await fetch(local(unsubscribe), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /Unsubscribed/);
      assert.equal(
        await queryNumber(env.db.url, "SELECT COUNT(*) AS n FROM users WHERE email = ?", [email]),
        0,
      );
      assert.equal(env.catcher.messages.filter((m) => m.to.includes(email)).length, 2);
    });
  },
);

Deno.test(
  "consent links: GET+form unsubscribes, an expired or tampered link is refused",
  async () => {
    await withServices(async (s) => {
      const { env, local, mailTo, register } = await consentStack(s);
      const email = "bob@example.com";
      await register(email);
      const link = linkIn(parseMessage((await mailTo(email))[0]!.raw).text, "/confirm");

      const tampered = tamper(link);
      const forged = await fetch(local(tampered), { method: "POST" });
      assert.equal(forged.status, 400);
      await forged.body?.cancel();

      const links = new ConsentLinks({
        baseUrl: BASE,
        signer: new LinkSigner(DEVELOPMENT_LINK_KEY),
      });
      const nonce = String(
        (await queryRows(
          env.db.url,
          "SELECT pending_confirmation AS n FROM users WHERE email = ?",
          [
            email,
          ],
        ))[0]?.n,
      );
      const expired = links.confirmUrl({
        email: email as Email,
        nonce,
        expiresAt: new Date(Date.now() - 1_000),
      });
      const late = await fetch(local(expired), { method: "POST" });
      assert.equal(late.status, 410);
      await late.body?.cancel();
      assert.equal(
        await queryNumber(
          env.db.url,
          "SELECT COUNT(*) AS n FROM users WHERE email = ? AND pending_confirmation IS NULL",
          [email],
        ),
        0,
        "still unconfirmed after the refused links",
      );

      // GET shows the address and a form; posting the form unsubscribes.
      const unsubscribe = links.unsubscribeUrl(email as Email);
      const page = await fetch(local(unsubscribe));
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.ok(html.includes(email));
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll(
        "&amp;",
        "&",
      );
      assert.ok(action);
      const posted = await fetch(`http://127.0.0.1:${new URL(local(unsubscribe)).port}${action}`, {
        method: "POST",
      });
      assert.equal(posted.status, 200);
      await posted.body?.cancel();
      assert.equal(
        await queryNumber(env.db.url, "SELECT COUNT(*) AS n FROM users WHERE email = ?", [email]),
        0,
      );
      const bad = await fetch(local(tamper(unsubscribe)), {
        method: "POST",
      });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
    });
  },
);

Deno.test(
  "UpdateUser new_email moves a subscription to an address that must be confirmed again",
  async () => {
    await withServices(async (s) => {
      const { env, local, mailTo, register, clients } = await consentStack(s);
      const [from, to, taken] = ["cy@example.com", "cy.new@example.com", "dee@example.com"];
      await register(from);
      await register(taken);
      const first = linkIn(parseMessage((await mailTo(from))[0]!.raw).text, "/confirm");
      const confirmedFirst = await fetch(local(first), { method: "POST" });
      assert.equal(confirmedFirst.status, 200);
      await confirmedFirst.body?.cancel();
      const db = s.use(await MysqlDatabase.connect({ url: env.db.url }));
      const evaluator = new MysqlThresholdEvaluator(db, { mode: "level", hysteresis: 0.005 });
      const quote = { ticker: "AAPL", price: 210, at: new Date("2026-01-05T15:31:00Z") } as never;
      const emailsOf = async () =>
        (await evaluator.evaluate([quote])).crossings.map((c) => c.email).sort();
      assert.deepEqual(await emailsOf(), [from]);

      const refused = await clients.command("UpdateUser", {
        email: from,
        new_email: taken,
        request_id: crypto.randomUUID(),
      });
      assert.equal(refused.code, 6, "ALREADY_EXISTS");
      const moved = await clients.command("UpdateUser", {
        email: from,
        new_email: to,
        request_id: crypto.randomUUID(),
      });
      assert.equal(moved.code, 0);
      assert.match(String(moved.response?.message), new RegExp(`${to}.*not confirmed yet`));
      assert.deepEqual(await emailsOf(), [], "no alert to the new address before confirmation");

      const link = linkIn(parseMessage((await mailTo(to))[0]!.raw).text, "/confirm");
      const reusedOld = await fetch(local(first), { method: "POST" });
      assert.equal(reusedOld.status, 409, "the old address's link confirms nothing");
      await reusedOld.body?.cancel();
      const confirmed = await fetch(local(link), { method: "POST" });
      assert.equal(confirmed.status, 200);
      await confirmed.body?.cancel();
      assert.deepEqual(await emailsOf(), [to]);
    });
  },
);
