/** The public HTTP listener of the command server: the links of consent mails. */
import type { ConsentService } from "../commands/consent_service.ts";
import { parseHostPort } from "../config/env.ts";
import { CONFIRM_PATH, UNSUBSCRIBE_PATH } from "../domain/consent_links.ts";
import type { Logger } from "../log/logger.ts";
import { escapeHtml } from "../notify/alert_email.ts";

/** Longest token accepted in a link; anything longer is refused unread. */
const _MAX_TOKEN_LENGTH = 1_024;

const _HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
};

/**
 * Serves the links of consent mails on `PUBLIC_HTTP_ADDR` (Deno.serve), apart from the
 * operator's `/metrics`:
 * - `GET /confirm?t=…` a page with a button; `POST /confirm?t=…` confirms the address (200),
 *   or refuses an expired link (410), a used one (409) or a forged one (400);
 * - `GET /unsubscribe?t=…` a page with a button; `POST /unsubscribe?t=…` unsubscribes at once
 *   (RFC 8058 one-click: the body `List-Unsubscribe=One-Click` is accepted, not required).
 *
 * The button keeps mail scanners that open links from confirming or unsubscribing on their own.
 * Tokens are never logged.
 *
 * @example
 * ```ts
 * const server = await ConsentHttpServer.start({ address: "0.0.0.0:8080", consent, logger });
 * await server.close();
 * ```
 */
export class ConsentHttpServer {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  /** The port actually bound. */
  readonly port: number;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>) {
    this.#server = server;
    this.port = server.addr.port;
  }

  /**
   * Listens on `address` (port 0 picks a free one); resolves once bound.
   *
   * @throws {Deno.errors.AddrInUse} when the port is taken
   */
  static start(
    { address, consent, logger }: { address: string; consent: ConsentService; logger: Logger },
  ): ConsentHttpServer {
    const { host, port } = parseHostPort(address, "PUBLIC_HTTP_ADDR");
    const server = Deno.serve({
      hostname: host,
      port,
      onListen: () => {},
      onError: (err) => {
        logger.error("public request failed", { err });
        return _page(500, "Something went wrong", "Please try again later.");
      },
    }, (request) => _handle(request, consent));
    const started = new ConsentHttpServer(server);
    logger.info("public link server listening", { address, port: started.port });
    return started;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  /** Same as {@linkcode ConsentHttpServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function _handle(request: Request, consent: ConsentService): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path !== CONFIRM_PATH && path !== UNSUBSCRIBE_PATH) {
    return _page(404, "Not found", "This page does not exist.");
  }
  if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "POST") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, POST" } });
  }
  const token = url.searchParams.get("t") ?? "";
  if (token === "" || token.length > _MAX_TOKEN_LENGTH) return _invalid();
  await request.body?.cancel();
  const action = `${path}?t=${encodeURIComponent(token)}`;
  if (path === UNSUBSCRIBE_PATH) {
    if (request.method !== "POST") {
      const email = consent.unsubscribeTarget(token);
      if (email === undefined) return _invalid();
      return _page(
        200,
        "Unsubscribe",
        `Stop all tickerwatch alerts to ${escapeHtml(email)}?`,
        _button(action, "Unsubscribe"),
      );
    }
    const result = await consent.unsubscribe(token);
    if (result.outcome === "invalid") return _invalid();
    return _page(
      200,
      "Unsubscribed",
      `${escapeHtml(result.email)} will get no more alerts from tickerwatch.`,
    );
  }
  if (request.method !== "POST") {
    return _page(
      200,
      "Confirm your alerts",
      "Confirm that you want tickerwatch price alerts at this address.",
      _button(action, "Confirm"),
    );
  }
  const result = await consent.confirm(token);
  switch (result.outcome) {
    case "confirmed":
      return _page(200, "Confirmed", `Alerts to ${escapeHtml(result.email)} are on.`);
    case "expired":
      return _page(410, "Link expired", "This confirmation link has expired.");
    case "used":
      return _page(409, "Link already used", "This confirmation link was used or replaced.");
    default:
      return _invalid();
  }
}

function _invalid(): Response {
  return _page(400, "Invalid link", "This link is not valid. Copy the whole link from the mail.");
}

function _button(action: string, label: string): string {
  return `<form method="post" action="${escapeHtml(action)}">` +
    `<button type="submit">${label}</button></form>`;
}

function _page(status: number, title: string, body: string, extra = ""): Response {
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body style="font-family:sans-serif">',
    `<h1>${title}</h1>`,
    `<p>${body}</p>`,
    extra,
    "</body></html>",
    "",
  ].join("\n");
  return new Response(html, { status, headers: _HEADERS });
}
