/** The SMTP adapter of the Mailer port, over nodemailer. */

import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { createTransport } from "nodemailer";
import { type Logger, redactUrl, silentLogger } from "../log/logger.ts";
import { type Mail, type Mailer, MailSendError, type SentMail } from "../notify/mailer.ts";
import { composePlainMessage } from "./plain_mime.ts";

/** Options of {@linkcode SmtpMailer}. */
export interface SmtpMailerOptions {
  /**
   * Server URL: `smtp://host:port` (STARTTLS when offered) or `smtps://user:pass@host:465`
   * (implicit TLS); nodemailer's URL query options (e.g. `?tls.rejectUnauthorized=false`) apply.
   */
  url: string;
  /** The From address, e.g. `"tickerwatch <alerts@example.com>"`. */
  from: string;
  /** Keep connections open and reuse them. Default true. */
  pool?: boolean;
  /** Pooled connections at most. Default 5. */
  maxConnections?: number;
  /** Time to establish the TCP connection. Default 10 000 ms. */
  connectionTimeoutMs?: number;
  /** Time to wait for the server's greeting. Default 10 000 ms. */
  greetingTimeoutMs?: number;
  /** Inactivity allowed on an open connection. Default 30 000 ms. */
  socketTimeoutMs?: number;
  /** Where sends and failures are logged (the URL without its password). Default silent. */
  logger?: Logger;
  /**
   * Refuse to send unless the connection is encrypted: STARTTLS must succeed on `smtp:` (the
   * server's certificate verified), so no mail and no password goes out in the clear. Default
   * false (STARTTLS only when offered).
   */
  requireTls?: boolean;
  /** PEM of the CA the server's certificate chains to, when it is not a public one. */
  tlsCa?: string;
  /** The name the server's certificate must carry, when it differs from the URL's host. */
  tlsServerName?: string;
  /**
   * Compose plain ASCII mails here instead of with nodemailer's MIME builder (see
   * {@linkcode SmtpMailer}). Default true.
   */
  composePlain?: boolean;
}

/** Driver codes of failures that end a connection rather than reject a message. */
const _TRANSIENT_CODES = new Set(["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS", "EPROXY"]);

/**
 * Sends mail through an SMTP server with nodemailer, over pooled connections by default.
 * Failures reject with {@linkcode MailSendError}, retriable for outages and 4xx replies.
 *
 * A mail whose headers and bodies are all printable ASCII to one bare address (an alert mail, as
 * a rule) is composed here as one 7bit multipart/alternative message ({@linkcode
 * composePlainMessage}) and handed as it is to nodemailer's SMTP pool (without the pool, to
 * `sendMail` as a raw message), which spares nodemailer's MIME builder and its per-mail stream
 * pipeline (the largest CPU costs of a mail in the notifier's profile) and writes it in one piece;
 * any other mail is composed by nodemailer (RFC 2047 words, quoted-printable). The From header
 * and the envelope sender are the ones nodemailer makes of `from`, worked out once.
 * Needs `--allow-net` and `--allow-sys=hostname` (nodemailer names itself in EHLO).
 *
 * @example
 * ```ts
 * await using mailer = new SmtpMailer({ url: "smtp://localhost:2525", from: "alerts@example.com" });
 * await mailer.send(renderAlertEmail(alert));
 * ```
 */
export class SmtpMailer implements Mailer {
  readonly #transport: ReturnType<typeof createTransport>;
  readonly #from: string;
  readonly #log: Logger;
  readonly #plain: boolean;
  readonly #pool: boolean;
  #fromHeader: Promise<{ header: string; sender: string; domain: string } | undefined> | undefined;
  #closed = false;

  /**
   * Creates the nodemailer transport from `options`; connects on the first send, not here.
   *
   * @throws {TypeError} when `url` is not an smtp: or smtps: URL
   */
  constructor(options: SmtpMailerOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError("Cannot create SMTP mailer: url is not a valid URL");
    }
    if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
      throw new TypeError(
        `Cannot create SMTP mailer: url must use smtp: or smtps:, got "${url.protocol}"`,
      );
    }
    this.#from = options.from;
    this.#log = options.logger ?? silentLogger;
    this.#plain = options.composePlain ?? true;
    this.#pool = options.pool ?? true;
    const timeouts = {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      ...(options.requireTls ? { requireTLS: true } : {}),
      ...(options.tlsCa !== undefined || options.tlsServerName !== undefined
        ? {
          tls: {
            ...(options.tlsCa !== undefined ? { ca: options.tlsCa } : {}),
            ...(options.tlsServerName !== undefined ? { servername: options.tlsServerName } : {}),
          },
        }
        : {}),
    };
    this.#transport = options.pool ?? true
      ? createTransport({
        url: options.url,
        pool: true,
        maxConnections: options.maxConnections ?? 5,
        ...timeouts,
      })
      : createTransport({ url: options.url, ...timeouts });
    this.#log.info("SMTP mailer ready", {
      url: redactUrl(options.url),
      pool: options.pool ?? true,
      requireTls: options.requireTls ?? false,
    });
  }

  /**
   * Sends `mail` from the configured address.
   *
   * @throws {MailSendError} when the server did not accept it (see `retriable`)
   */
  async send(mail: Mail): Promise<SentMail> {
    if (this.#closed) {
      throw new MailSendError("Cannot send mail: the mailer is closed", { retriable: false });
    }
    try {
      const plain = this.#plain ? await this.#plainOf(mail) : undefined;
      const info = !plain
        ? await this.#transport.sendMail({ from: this.#from, ...mail })
        : this.#pool
        ? await this.#sendComposed(plain)
        : await this.#transport.sendMail({ envelope: plain.envelope, raw: plain.raw });
      const messageId = plain?.messageId ?? info.messageId;
      this.#log.debug("mail sent", { to: mail.to, messageId });
      return { messageId };
    } catch (cause) {
      const error = _toMailSendError(mail.to, cause);
      this.#log.warn("mail not sent", {
        to: mail.to,
        retriable: error.retriable,
        responseCode: error.responseCode,
        code: error.code,
        error,
      });
      throw error;
    }
  }

  async #plainOf(mail: Mail) {
    // When nodemailer cannot make a From header of it, every mail goes its way (and fails there).
    this.#fromHeader ??= _fromHeaderOf(this.#from).catch(() => undefined);
    const from = await this.#fromHeader;
    const composed = from && composePlainMessage(mail, from.header, from.domain);
    return composed && {
      ...composed,
      envelope: { from: from.sender, to: [mail.to] },
    };
  }

  // A composed message goes straight to the pool (nodemailer 10.6.1, pinned in deno.json), as
  // the message object Mail.sendMail would build for `{ envelope, raw }` does: its envelope, its
  // Message-ID, and a stream of the raw bytes, made again for each attempt (the pool may requeue
  // a message no byte of which was read). sendMail would add nothing to a raw message but CPU: a
  // MIME tree, its headers, a stream pipeline per mail (plugins, DKIM and signals are not used).
  // The bytes on the wire are the same (the connection dot-stuffs them either way).
  #sendComposed(
    plain: { raw: string; messageId: string; envelope: { from: string; to: string[] } },
  ): Promise<{ messageId?: string }> {
    const bytes = Buffer.from(plain.raw, "utf8");
    const { from, to } = plain.envelope;
    const message = {
      getEnvelope: () => ({ from, to: [...to] }),
      messageId: () => plain.messageId,
      getHeader: (name: string) =>
        name.toLowerCase() === "message-id" ? plain.messageId : undefined,
      createReadStream: () =>
        new Readable({
          read() {
            this.push(bytes);
            this.push(null);
          },
        }),
    };
    const pool = (this.#transport as unknown as { transporter: _PoolTransport }).transporter;
    return new Promise((resolve, reject) =>
      pool.send({ data: {}, message }, (err, info) => (err ? reject(err) : resolve(info ?? {})))
    );
  }

  /** Closes the pooled connections. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#transport.close();
    }
    return Promise.resolve();
  }

  /** Same as {@linkcode SmtpMailer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The From header value and envelope sender nodemailer makes of `from` (quoted or encoded as
 * needed), and the sender's domain for generated Message-IDs: composed once by its stream
 * transport, nothing sent.
 */
async function _fromHeaderOf(
  from: string,
): Promise<{ header: string; sender: string; domain: string }> {
  const built = await createTransport({ streamTransport: true, buffer: true, newline: "windows" })
    .sendMail({ from, to: "probe@example.invalid", subject: "probe", text: "probe" });
  const raw = built.message as unknown as Uint8Array;
  const head = new TextDecoder().decode(raw).split("\r\n\r\n", 1)[0]!.replace(/\r\n[ \t]/g, " ");
  const line = head.split("\r\n").find((l) => /^from:/i.test(l));
  const sender = built.envelope.from;
  if (!line || typeof sender !== "string" || !sender.includes("@")) {
    throw new Error("no From header or sender address");
  }
  return {
    header: line.slice(line.indexOf(":") + 1).trim(),
    sender,
    domain: sender.split("@").pop()!,
  };
}

/** What {@linkcode SmtpMailer} uses of nodemailer's SMTP pool transport. */
interface _PoolTransport {
  send(
    mail: { data: Record<string, never>; message: unknown },
    callback: (err: Error | null, info?: { messageId?: string }) => void,
  ): void;
}

function _toMailSendError(to: string, cause: unknown): MailSendError {
  const err = (cause ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown };
  const code = typeof err.code === "string" ? err.code : undefined;
  const responseCode = typeof err.responseCode === "number" ? err.responseCode : undefined;
  // RFC 5321: 4yz is transient, 5yz permanent except 503 (bad sequence: a new session may pass).
  const retriable = responseCode !== undefined
    ? responseCode < 500 || responseCode === 503
    : code !== undefined && _TRANSIENT_CODES.has(code);
  const reason = typeof err.message === "string" ? err.message : String(cause);
  const details: { retriable: boolean; responseCode?: number; code?: string } = { retriable };
  if (responseCode !== undefined) details.responseCode = responseCode;
  if (code !== undefined) details.code = code;
  return new MailSendError(`Cannot send mail to ${to}: ${reason}`, details, { cause });
}
