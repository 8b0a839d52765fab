/** The notifier's idempotency record: which alert ids were already mailed (the port). */

/** One mailed alert, as the log stores it. */
export interface SentAlert {
  /** The alert's id (the idempotency key, at most 64 characters). */
  alertId: string;
  /** Recipient. */
  email: string;
  /** Ticker of the alert. */
  ticker: string;
  /** Which threshold fired. */
  thresholdType: "HIGH" | "LOW";
  /** When the mail was accepted (or the alert was skipped as a repeat). */
  sentAt: Date;
}

/**
 * Remembers the alert ids the notifier has handled, so a redelivered message never sends a
 * second mail. Survives restarts (unlike {@linkcode LastSentCache}).
 *
 * @example
 * ```ts
 * if (!(await log.wasSent(alert.alert_id))) {
 *   await mailer.send(mail);
 *   await log.record({ alertId: alert.alert_id, email, ticker, thresholdType, sentAt: new Date() });
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
