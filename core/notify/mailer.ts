/** The port through which the notifier sends email. */

/** One email to one recipient, with a plain-text and an HTML body. */
export interface Mail {
  /** Recipient address. */
  to: string;
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  text: string;
  /** HTML body. */
  html: string;
  /**
   * Message-ID header, e.g. `<3f9a…@tickerwatch>`; when absent the mailer generates a random one.
   * A deterministic id lets mail clients and servers recognise a resent mail as the same one.
   */
  messageId?: string;
  /**
   * Extra header fields, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058); values
   * must be single-line.
   */
  headers?: Record<string, string>;
}

/** What the SMTP server said when it accepted a mail. */
export interface SentMail {
  /** The Message-ID header of the accepted mail. */
  messageId: string;
}

/**
 * Sends email. `send` resolves once the server accepted the mail and rejects with
 * {@linkcode MailSendError} otherwise.
 *
 * @example
 * ```ts
 * const { messageId } = await mailer.send({ to, subject, text, html });
 * await mailer.close();
 * ```
 */
export interface Mailer {
  /**
   * Sends one mail.
   *
   * @throws {MailSendError} when the mail was not accepted; `retriable` says whether trying the
   * same mail again later may succeed
   */
  send(mail: Mail): Promise<SentMail>;
  /** Closes connections; the mailer is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * A mail was not accepted. `retriable` is true for outages (connection refused or lost,
 * timeouts, 4xx replies): the same mail can be sent again later. It is false for permanent
 * rejections (5xx replies such as an unknown mailbox, bad credentials, invalid addresses).
 */
export class MailSendError extends Error {
  /** Whether sending the same mail again later may succeed. */
  readonly retriable: boolean;
  /** The SMTP reply code, when the server gave one. */
  readonly responseCode: number | undefined;
  /** The driver's error code (e.g. "ECONNECTION", "EENVELOPE"), when it gave one. */
  readonly code: string | undefined;
  /**
   * Takes the message, the details (`retriable`; the SMTP reply code and driver code when
   * known) and `options.cause` (the driver's error).
   */
  constructor(
    message: string,
    details: { retriable: boolean; responseCode?: number; code?: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "MailSendError";
    this.retriable = details.retriable;
    this.responseCode = details.responseCode;
    this.code = details.code;
  }
}
