/**
 * A fast MIME composer for the common mail: every header value and both bodies printable ASCII.
 * nodemailer composes the rest.
 */
import type { Mail } from "../notify/mailer.ts";

/** The parts of a composed message that the SMTP envelope and the caller need. */
export interface PlainMessage {
  /** The whole message, CRLF line ends, ready for DATA (dot-stuffing is the sender's). */
  raw: string;
  /** Its Message-ID header value, `<…>`. */
  messageId: string;
}

// Printable ASCII (and tab) only: a header value with anything else needs encoding.
const _HEADER_SAFE = /^[\x20-\x7E\t]*$/;
// Printable ASCII, tab and LF: a body like that goes as 7bit.
const _BODY_SAFE = /^[\x20-\x7E\t\n]*$/;
// RFC 5322: a line is at most 998 octets.
const _MAX_LINE = 998;
const _NAME = /^[A-Za-z0-9-]+$/;
// A bare address with nothing a mailer would read as a display name, a group or a second one.
const _BARE_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;

/**
 * Composes `mail` as a 7bit `multipart/alternative` message (text/plain, then text/html, both
 * UTF-8 declared) with the given `from` header value (already a valid, ASCII header value),
 * To, Subject, Message-ID (the mail's or `<random@idDomain>`), Date, MIME-Version and the mail's
 * extra headers, in the shape nodemailer gives them. Returns undefined when any value is not
 * printable ASCII, the recipient is not one bare address (`ann@example.com`), a header value is
 * too long for one line, or a body line exceeds 998 octets:
 * such a mail needs encoding (RFC 2047 words, quoted-printable), which is left to nodemailer.
 *
 * @example
 * ```ts
 * const composed = composePlainMessage(mail, "tickerwatch <alerts@example.com>", "example.com");
 * if (composed) await transport.sendMail({ envelope, raw: composed.raw });
 * ```
 */
export function composePlainMessage(
  mail: Mail,
  from: string,
  idDomain: string,
  now: Date = new Date(),
): PlainMessage | undefined {
  if (!_BARE_ADDRESS.test(mail.to)) return undefined;
  const messageId = mail.messageId ?? `<${crypto.randomUUID()}@${idDomain}>`;
  const fields: [string, string][] = [
    ...Object.entries(mail.headers ?? {}),
    ["From", from],
    ["To", mail.to],
    ["Subject", mail.subject],
    ["Message-ID", messageId],
    ["Date", now.toUTCString().replace(/GMT$/, "+0000")],
    ["MIME-Version", "1.0"],
  ];
  const lines: string[] = [];
  for (const [name, value] of fields) {
    if (!_NAME.test(name) || !_HEADER_SAFE.test(value)) return undefined;
    const line = `${name}: ${value}`;
    if (line.length > _MAX_LINE) return undefined;
    lines.push(line);
  }
  const text = _body(mail.text);
  const html = _body(mail.html);
  if (text === undefined || html === undefined) return undefined;
  const boundary = `--_tw-${crypto.randomUUID().replaceAll("-", "")}`;
  const raw = [
    ...lines,
    "Content-Type: multipart/alternative;",
    ` boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    text,
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    html,
    `--${boundary}--`,
    "",
  ].join("\r\n");
  return { raw, messageId };
}

/** `body` with CRLF line ends, or undefined when it is not 7bit-safe. */
function _body(body: string): string | undefined {
  if (!_BODY_SAFE.test(body)) return undefined;
  const lines = body.split("\n");
  if (lines.some((l) => l.length > _MAX_LINE)) return undefined;
  return lines.join("\r\n");
}
