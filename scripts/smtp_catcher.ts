/**
 * A real SMTP server (npm:smtp-server) on 127.0.0.1, for the tests, the demo and the pipeline
 * benchmark. It keeps every accepted message in memory, can save each one as
 * `<folder>/NNNN.eml` and report it through `onMail`, and can simulate outages: `down()`
 * answers 421 to new connections and transactions until `up()`, `failNext(n)` answers 451 to
 * the next n mails.
 */

import { SMTPServer } from "smtp-server";
import { waitFor } from "./wait.ts";

/** A message the catcher accepted. */
export interface CaughtMessage {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** The message as received: headers and body, CRLF line ends, dot-stuffing removed. */
  raw: string;
  /** Credentials the client authenticated with, if any. */
  auth?: { username: string; password: string };
  /** Where the message was saved, when the catcher has a folder. */
  file?: string;
}

/** Options of {@linkcode SmtpCatcher.start}. */
export interface SmtpCatcherOptions {
  /** Reject connections that do not authenticate. Default false (auth optional). */
  requireAuth?: boolean;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Save each accepted message as `<folder>/0001.eml`, `0002.eml`, … (created if missing). */
  folder?: string;
  /** Called for each accepted message, after it was kept (and saved). */
  onMail?: (message: CaughtMessage) => void;
}

/** The SMTP catcher; see the module doc. */
export class SmtpCatcher {
  /** The port it listens on. */
  readonly port: number;
  readonly #server: SMTPServer;
  readonly #messages: CaughtMessage[] = [];
  readonly #logins = new Map<string, { username: string; password: string }>();
  #down = false;
  #failNext = 0;
  #rejected = 0;
  #connections = 0;

  private constructor(server: SMTPServer, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Starts a catcher on 127.0.0.1 and `options.port` (default: a free one). */
  static async start(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
    const { folder, onMail } = options;
    if (folder) await Deno.mkdir(folder, { recursive: true });
    let saved = 0;
    // deno-lint-ignore prefer-const
    let catcher: SmtpCatcher;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS"],
      authOptional: !options.requireAuth,
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 1_000,
      onConnect: (_session, callback) => {
        catcher.#connections++;
        callback(catcher.#outage(421));
      },
      onAuth: (auth, session, callback) => {
        catcher.#logins.set(session.id, {
          username: auth.username ?? "",
          password: auth.password ?? "",
        });
        callback(null, { user: auth.username });
      },
      onMailFrom: (_address, _session, callback) => {
        if (catcher.#failNext > 0) {
          catcher.#failNext--;
          catcher.#rejected++;
          return callback(_smtpError(451, "4.3.0 Temporary failure, try again later"));
        }
        callback(catcher.#outage(421));
      },
      onData: (stream, session, callback) => {
        const chunks: Uint8Array[] = [];
        stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
        stream.on("end", async () => {
          const envelope = session.envelope;
          const message: CaughtMessage = {
            from: envelope.mailFrom ? envelope.mailFrom.address : "",
            to: envelope.rcptTo.map((r) => r.address),
            raw: new TextDecoder().decode(_concat(chunks)),
          };
          const login = catcher.#logins.get(session.id);
          if (login) message.auth = login;
          if (folder) {
            message.file = `${folder}/${String(++saved).padStart(4, "0")}.eml`;
            try {
              await Deno.writeTextFile(message.file, message.raw);
            } catch (err) {
              return callback(_smtpError(451, `4.3.0 Cannot save the message: ${err}`));
            }
          }
          catcher.#messages.push(message);
          onMail?.(message);
          callback(null);
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.on("error", reject);
      const net = server.listen(options.port ?? 0, "127.0.0.1", () => {
        const address = net.address();
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("smtp catcher: no port"));
      });
    });
    catcher = new SmtpCatcher(server, port);
    return catcher;
  }

  /** `smtp://127.0.0.1:<port>`, optionally with credentials. */
  url(credentials?: { username: string; password: string }): string {
    if (!credentials) return `smtp://127.0.0.1:${this.port}`;
    const u = encodeURIComponent(credentials.username);
    const p = encodeURIComponent(credentials.password);
    return `smtp://${u}:${p}@127.0.0.1:${this.port}`;
  }

  /** Messages accepted so far, oldest first. */
  get messages(): readonly CaughtMessage[] {
    return this.#messages;
  }

  /** Transactions refused by {@linkcode failNext} so far. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Client connections opened so far (refused ones included). */
  get connections(): number {
    return this.#connections;
  }

  /** Forgets the messages accepted so far. */
  clear(): void {
    this.#messages.length = 0;
  }

  /** Refuses the next `n` mails with 451 (a temporary error). */
  failNext(n: number): void {
    this.#failNext = n;
  }

  /** Simulates an outage: 421 to new connections and to transactions on open ones. */
  down(): void {
    this.#down = true;
  }

  /** Ends the outage. */
  up(): void {
    this.#down = false;
  }

  /**
   * Resolves with the accepted messages once there are at least `n`; rejects after `timeoutMs`
   * saying how many arrived.
   */
  async waitForMessages(n: number, timeoutMs = 5_000): Promise<CaughtMessage[]> {
    await waitFor(() => this.#messages.length >= n, {
      timeoutMs,
      intervalMs: 20,
      what: `${n} messages`,
    }).catch((err) => {
      throw new Error(
        `SmtpCatcher: waited ${timeoutMs} ms for ${n} messages, got ${this.#messages.length}`,
        { cause: err },
      );
    });
    return [...this.#messages];
  }

  /** Stops listening and closes open connections. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Same as {@linkcode stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #outage(code: number): Error | null {
    return this.#down ? _smtpError(code, "4.3.2 Service temporarily unavailable") : null;
  }
}

function _smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

function _concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The parts of a raw message tests look at. */
export interface ParsedMessage {
  /** Header fields by lower-case name (first occurrence), unfolded and RFC 2047-decoded. */
  headers: Map<string, string>;
  subject: string;
  from: string;
  to: string;
  /** The text/plain part, decoded, LF line ends ("" when absent). */
  text: string;
  /** The text/html part, decoded, LF line ends ("" when absent). */
  html: string;
}

/**
 * Parses the headers and the text/plain and text/html parts of a raw message (multipart or not;
 * 7bit, 8bit, quoted-printable or base64), enough to assert what nodemailer sent.
 */
export function parseMessage(raw: string): ParsedMessage {
  const { headers, body } = _splitEntity(raw);
  const found = { text: "", html: "" };
  _collectParts(headers, body, found);
  return {
    headers,
    subject: headers.get("subject") ?? "",
    from: headers.get("from") ?? "",
    to: headers.get("to") ?? "",
    ...found,
  };
}

function _splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const normalized = raw.replace(/\r\n/g, "\n");
  const end = normalized.indexOf("\n\n");
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? "" : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, _decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function _collectParts(
  headers: Map<string, string>,
  body: string,
  found: { text: string; html: string },
): void {
  const type = (headers.get("content-type") ?? "text/plain").toLowerCase();
  if (type.startsWith("multipart/")) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers.get("content-type") ?? "")?.[1];
    if (!boundary) return;
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith("--")) break;
      const part = _splitEntity(section.replace(/^\n/, ""));
      _collectParts(part.headers, part.body, found);
    }
    return;
  }
  const decoded = _decodeBody(body, headers.get("content-transfer-encoding") ?? "7bit");
  if (type.startsWith("text/plain") && !found.text) found.text = decoded;
  if (type.startsWith("text/html") && !found.html) found.html = decoded;
}

function _decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "quoted-printable":
      return new TextDecoder().decode(_qpBytes(body.replace(/=\n/g, ""))).replace(/\n$/, "");
    case "base64":
      return new TextDecoder().decode(
        Uint8Array.from(atob(body.replace(/\s+/g, "")), (c) => c.charCodeAt(0)),
      );
    default:
      return body.replace(/\n$/, "");
  }
}

function _qpBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...utf8.encode(text[i]!));
    }
  }
  return new Uint8Array(bytes);
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function _decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset, kind: string, data: string) => {
      if (kind.toUpperCase() === "B") {
        return new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
      }
      return new TextDecoder().decode(_qpBytes(data.replace(/_/g, " ")));
    });
}
