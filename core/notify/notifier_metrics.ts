/** The notifier's Prometheus metrics. */
import { Counter, type Registry } from "prom-client";
import { isRetriable } from "../messages/message_handling_error.ts";
import type { NotifyOutcome } from "./notifier.ts";

/**
 * Registers on `registry` the notifier's metrics and records outcomes into them:
 * `tickerwatch_notifier_emails_sent_total`,
 * `tickerwatch_notifier_emails_skipped_total{reason}` (duplicate: the alert id was mailed
 * already; repeat: same price as the last mail, the anti-spam rule) and
 * `tickerwatch_notifier_emails_held_back_total` (alerts over the per-address cap, counted and
 * reported in the next mail to that address),
 * `tickerwatch_notifier_failures_total{kind}` (retriable: retried with backoff; rejected: the
 * server refused for good, parked in the DLQ).
 *
 * @example
 * ```ts
 * const metrics = new NotifierMetrics(registry);
 * metrics.recordOutcome(await notifier.handle(alert));
 * ```
 */
export class NotifierMetrics {
  readonly #sent;
  readonly #skipped;
  readonly #failures;
  readonly #heldBack;

  constructor(registry: Registry) {
    this.#sent = new Counter({
      name: "tickerwatch_notifier_emails_sent_total",
      help: "Emails accepted by the SMTP server.",
      registers: [registry],
    });
    this.#skipped = new Counter({
      name: "tickerwatch_notifier_emails_skipped_total",
      help: "Alerts not mailed: duplicate (alert id mailed already) or repeat (same price).",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.#heldBack = new Counter({
      name: "tickerwatch_notifier_emails_held_back_total",
      help: "Alerts not mailed because their address reached MAX_MAILS_PER_HOUR_PER_ADDRESS.",
      registers: [registry],
    });
    this.#failures = new Counter({
      name: "tickerwatch_notifier_failures_total",
      help: "Failed attempts to notify: retriable (retried) or rejected (parked in the DLQ).",
      labelNames: ["kind"],
      registers: [registry],
    });
  }

  /** Records what {@linkcode Notifier.handle} did. */
  recordOutcome(outcome: NotifyOutcome): void {
    if (outcome === "sent") this.#sent.inc();
    else if (outcome === "held-back") this.#heldBack.inc();
    else this.#skipped.inc({ reason: outcome === "already-sent" ? "duplicate" : "repeat" });
  }

  /** Records an error thrown by {@linkcode Notifier.handle}. */
  recordFailure(err: unknown): void {
    this.#failures.inc({ kind: isRetriable(err) ? "retriable" : "rejected" });
  }
}
