/** The notifier's idempotency record: which alert ids were already mailed (the port). */

import type { Alert } from "../domain/alert.ts";

/**
 * One mailed alert, as the log stores it: the {@linkcode Alert}'s id, recipient, ticker and
 * threshold type (a whole `Alert` fits), and when it was handled.
 */
export interface SentAlert extends Pick<Alert, "alertId" | "email" | "ticker" | "thresholdType"> {
  /** When the mail was accepted (or the alert was skipped as a repeat). */
  readonly sentAt: Date;
}

/**
 * Remembers the alert ids the notifier has handled, so a redelivered message never sends a
 * second mail. Survives restarts (unlike {@linkcode LastSentCache}).
 *
 * @example
 * ```ts
 * if (!(await log.wasSent(alert.alertId))) {
 *   await mailer.send(mail);
 *   await log.record({ ...alert, sentAt: new Date() });
 * }
 * ```
 */
export interface SentAlertLog {
  /** Whether `alertId` was recorded (and not purged yet). */
  wasSent(alertId: string): Promise<boolean>;
  /** Records `alert`; recording an id that is already there is not an error (the first stays). */
  record(alert: SentAlert): Promise<void>;
  /** Deletes records whose `sentAt` is older than `olderThanMs`; returns how many went. */
  purge(olderThanMs: number): Promise<number>;
}
