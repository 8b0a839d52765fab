/** Turns one alert message into an email: idempotent per recorded alert id, no repeated prices. */
import type { Alert } from "../domain/alert.ts";
import { parseEmail } from "../domain/email.ts";
import {
  type ConfirmationMessage,
  isConfirmationMessage,
  type NotifierMessage,
} from "../messages/confirmation_message.ts";
import { alertFromMessage } from "../messages/alert_message.ts";
import { MessageHandlingError } from "../messages/message_handling_error.ts";
import type { Logger } from "../log/logger.ts";
import { renderAlertEmail } from "./alert_email.ts";
import { withHeldBackNote } from "./held_back_note.ts";
import { renderConfirmationEmail } from "./confirmation_email.ts";
import type { LastSentCache } from "./last_sent_cache.ts";
import type { MailCap } from "./mail_cap.ts";
import { type Mail, type Mailer, MailSendError } from "./mailer.ts";
import type { SentAlertLog } from "./sent_alert_log.ts";

/** What {@linkcode Notifier.handle} did with an alert. */
export type NotifyOutcome =
  /** The mail was accepted by the server and the alert id recorded. */
  | "sent"
  /** The alert id was recorded already (a redelivery): nothing sent. */
  | "already-sent"
  /** The last mail for this email, ticker and condition had the same price: nothing sent. */
  | "repeat"
  /** The recipient reached the per-address mail cap: counted for the next mail, nothing sent. */
  | "held-back";

/** Dependencies of {@linkcode Notifier}. */
export interface NotifierDeps {
  /** Sends the mails. */
  mailer: Mailer;
  /** The idempotency record per alert id. */
  sentLog: SentAlertLog;
  /** The original's anti-spam cache (last price mailed per email, ticker and condition). */
  lastSent: LastSentCache;
  /** Where skips, sends and rejections are logged. */
  logger: Logger;
  /** Clock for the `sentAt` of records; default the system clock. */
  now?: () => Date;
  /** The per-recipient cap on alert mails; default none. */
  cap?: MailCap | undefined;
  /**
   * The one-click unsubscribe link of a recipient: when given, every alert mail carries it in
   * `List-Unsubscribe` (with `List-Unsubscribe-Post`, RFC 8058) and in both bodies.
   */
  unsubscribeUrl?: ((email: string) => string) | undefined;
}

/**
 * The notifier's work for one `to-notifier` message:
 * 1. an alert id already in the {@linkcode SentAlertLog} is skipped (a redelivery);
 * 2. an alert whose email, ticker, condition and price match the last mail sent is skipped and
 *    its id recorded (the original's anti-spam rule);
 * 3. an alert to a recipient that reached the {@linkcode MailCap} is held back: counted, its id
 *    recorded, nothing sent; the next mail to that recipient tells how many were held back;
 * 4. otherwise the alert is rendered and sent with Message-ID `<alert_id@tickerwatch>`, then its
 *    id recorded, then remembered in the {@linkcode LastSentCache}.
 *
 * Failures are thrown for the {@linkcode ConsumerRunner} to act on: a retriable
 * {@linkcode MailSendError} (outage, 4xx) and database faults as they are, so the message is
 * retried with backoff and its offset stays uncommitted; a permanent rejection (5xx, e.g. an
 * unknown mailbox) as a non-retriable {@linkcode MessageHandlingError}, so the message is parked
 * in the DLQ instead of blocking its partition.
 *
 * Guarantee: no alert is lost, but SMTP has no two-phase commit. A crash after the server accepted
 * a mail and before its id was recorded (one SMTP reply plus the group-committed INSERT it waits
 * for) mails it again on redelivery, with the same deterministic Message-ID so receivers can
 * collapse it. Only alerts in hand can repeat, each once: at most the consumer's concurrency per
 * crashed process.
 *
 * {@linkcode Notifier.prefetch} reads the records of a whole chunk of messages in one statement
 * before their `handle` calls; without it, each `handle` reads its own (the reads and writes of
 * concurrent calls share statements in the MySQL adapters).
 *
 * @example
 * ```ts
 * const notifier = new Notifier({ mailer, sentLog, lastSent: new LastSentCache(), logger });
 * await ConsumerRunner.start({ kafka, groupId, topic: TOPIC_TO_NOTIFIER,
 *   schema: AlertMessageSchema, handler: ({ value }) => notifier.handle(value).then(() => {}) });
 * ```
 */
export class Notifier {
  readonly #mailer: Mailer;
  readonly #sentLog: SentAlertLog;
  readonly #lastSent: LastSentCache;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #cap: MailCap | undefined;
  readonly #unsubscribeUrl: ((email: string) => string) | undefined;
  // Answers of `prefetch` not used yet: alert id → recorded already.
  readonly #known = new Map<string, boolean>();

  /** Takes the mailer, the sent-alert log, the last-sent cache, a logger and an optional clock. */
  constructor(deps: NotifierDeps) {
    this.#mailer = deps.mailer;
    this.#sentLog = deps.sentLog;
    this.#lastSent = deps.lastSent;
    this.#log = deps.logger.child({ component: "notifier" });
    this.#now = deps.now ?? (() => new Date());
    this.#cap = deps.cap;
    this.#unsubscribeUrl = deps.unsubscribeUrl;
  }

  /**
   * Reads in one go whether the alerts among `messages` were recorded already (one statement
   * for a chunk of messages instead of one per alert), and their recipients' mail-cap states
   * ({@linkcode MailCap.prefetch}), for their {@linkcode Notifier.handle} calls to use. An answer is used once; a redelivered duplicate handled after its first copy
   * reads the record again. Call {@linkcode Notifier.forget} with the same messages afterwards.
   */
  async prefetch(messages: readonly NotifierMessage[]): Promise<void> {
    const alerts = messages.flatMap((m) => (isConfirmationMessage(m) ? [] : [m]));
    const ids = alerts.map((m) => m.alert_id);
    const [sent] = await Promise.all([
      Promise.all(ids.map((id) => this.#sentLog.wasSent(id))),
      this.#cap?.prefetch(alerts.map((m) => m.email)),
    ]);
    ids.forEach((id, i) => this.#known.set(id, sent[i]!));
  }

  /** Drops the unused answers of {@linkcode Notifier.prefetch} for `messages`. */
  forget(messages: readonly NotifierMessage[]): void {
    const alerts = messages.flatMap((m) => (isConfirmationMessage(m) ? [] : [m]));
    for (const m of alerts) this.#known.delete(m.alert_id);
    this.#cap?.forget(alerts.map((m) => m.email));
  }

  /**
   * Handles one alert (see the class doc).
   *
   * @throws {MailSendError} retriable: the server is unavailable or deferred the mail
   * @throws {MessageHandlingError} not retriable: the server rejected the mail for good
   * @throws {DatabaseUnavailableError} the idempotency record could not be read or written
   */
  async handle(message: NotifierMessage): Promise<NotifyOutcome> {
    _checkRecipient(message.email);
    if (isConfirmationMessage(message)) return await this.#confirm(message);
    const alert = alertFromMessage(message);
    const fields = { alertId: alert.alertId, to: alert.email, ticker: alert.ticker };
    const known = this.#known.get(alert.alertId);
    this.#known.delete(alert.alertId);
    if (known ?? await this.#sentLog.wasSent(alert.alertId)) {
      this.#log.info("alert already sent, skipped", fields);
      return "already-sent";
    }
    if (!this.#lastSent.shouldSend(alert)) {
      await this.#sentLog.record({ ...alert, sentAt: this.#now() });
      this.#log.info("same price as the last mail for this condition, skipped", fields);
      return "repeat";
    }
    const quota = await this.#cap?.admit(alert.email);
    if (quota && !quota.send) {
      await this.#sentLog.record({ ...alert, sentAt: this.#now() });
      this.#log.warn("mail cap reached, alert held back", { ...fields, heldBack: quota.heldBack });
      return "held-back";
    }
    const note = (mail: Mail) =>
      withHeldBackNote(mail, quota?.heldBack ?? 0, this.#cap?.maxPerHour ?? 0);
    await this.#send(
      note(alertMail(alert, this.#unsubscribeUrl?.(alert.email))),
      "mail rejected for good, alert parked",
      fields,
    );
    await this.#sentLog.record({ ...alert, sentAt: this.#now() });
    if (quota?.send && this.#cap) await this.#cap.sent(alert.email, quota);
    this.#lastSent.remember(alert);
    this.#log.info("alert mailed", fields);
    return "sent";
  }

  // A confirmation request: mailed with the same retries and DLQ as an alert, not deduplicated
  // (a redelivery mails the same link again, with the same Message-ID).
  async #confirm(message: ConfirmationMessage): Promise<NotifyOutcome> {
    const fields = { confirmationId: message.confirmation_id, to: message.email };
    await this.#send(
      renderConfirmationEmail(message),
      "confirmation mail rejected for good, parked",
      fields,
    );
    this.#log.info("confirmation mailed", fields);
    return "sent";
  }

  // Sends `mail`; a permanent rejection (5xx) becomes a non-retriable MessageHandlingError, so
  // the message is parked in the DLQ; other failures are thrown as they are, to be retried.
  async #send(mail: Mail, rejected: string, fields: Record<string, unknown>): Promise<void> {
    try {
      await this.#mailer.send(mail);
    } catch (err) {
      if (err instanceof MailSendError && !err.retriable) {
        this.#log.error(rejected, { ...fields, error: err });
        throw new MessageHandlingError(`Cannot notify: ${err.message}`, {
          retriable: false,
          cause: err,
        });
      }
      throw err;
    }
  }
}

/**
 * The email of `alert`: {@linkcode renderAlertEmail} plus the Message-ID `<alertId@tickerwatch>`
 * when the id is a valid Message-ID local part (letters, digits, `.`, `_`, `-`); with
 * `unsubscribeUrl`, the link in both bodies and the RFC 8058 headers `List-Unsubscribe` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
 */
export function alertMail(alert: Alert, unsubscribeUrl?: string): Mail {
  const rendered = renderAlertEmail(alert, { unsubscribeUrl });
  const mail: Mail = unsubscribeUrl === undefined ? rendered : {
    ...rendered,
    headers: {
      "List-Unsubscribe": `<${unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
  return _SAFE_ID.test(alert.alertId)
    ? { ...mail, messageId: `<${alert.alertId}@tickerwatch>` }
    : mail;
}

const _SAFE_ID = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * Throws a non-retriable {@linkcode MessageHandlingError} (the alert is parked) when `email` is
 * not one valid address: the message schema only bounds its length, and a mailer would read
 * `"a@example.com, b@example.com"` as two recipients.
 */
function _checkRecipient(email: string): void {
  try {
    parseEmail(email, "notify");
  } catch (err) {
    throw new MessageHandlingError(
      `Cannot notify: the recipient is not one valid address (${(err as Error).message})`,
      { retriable: false, cause: err },
    );
  }
}
