/** Renders a threshold alert as an email. */

import type { Alert } from "../domain/alert.ts";
import { formatPrice } from "../domain/price_format.ts";
import type { Mail } from "./mailer.ts";

/** What an email shows: the whole {@linkcode Alert} (its id goes in the footer). */
export type AlertEmailInput = Alert;

/** Options of {@linkcode renderAlertEmail}. */
export interface AlertEmailOptions {
  /** The recipient's one-click unsubscribe link, shown in both bodies when given. */
  unsubscribeUrl?: string | undefined;
}

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => _ENTITIES[c]!);
}

/**
 * `value` with its control characters (C0 but tab, DEL, C1) and its invisible or
 * direction-changing ones (zero-width, bidi overrides and isolates) replaced by U+FFFD.
 */
export function printable(value: string): string {
  return value.replace(_INVISIBLE, "\uFFFD");
}

const _INVISIBLE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

const _ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Renders `alert` as a {@linkcode Mail} to `alert.email`: subject, plain text and HTML, each with
 * the ticker, current price, threshold, direction ("rose above" / "fell below") and time (ISO
 * 8601 and a readable UTC form). Prices are written by {@linkcode formatPrice} at their own
 * precision, followed by the alert's currency when it has one ("308.80 GBp"). Every value is
 * HTML-escaped in the HTML body; control, zero-width and bidi characters of the ticker and
 * currency (they came from a producer or from Yahoo) become U+FFFD everywhere ({@linkcode printable}). With `options.unsubscribeUrl`, both bodies end with that link.
 *
 * @example
 * ```ts
 * renderAlertEmail({ alertId: "a1", email: "ann@example.com", ticker: "AAPL",
 *   thresholdType: "HIGH", thresholdValue: 150, price: 151.2, at: new Date() }).subject;
 * // "AAPL rose above 150.00: now 151.20"
 * ```
 */
export function renderAlertEmail(raw: Alert, options: AlertEmailOptions = {}): Mail {
  const alert: Alert = raw.currency === undefined
    ? { ...raw, ticker: printable(raw.ticker) }
    : { ...raw, ticker: printable(raw.ticker), currency: printable(raw.currency) };
  const unsubscribe = options.unsubscribeUrl;
  const direction = alert.thresholdType === "HIGH" ? "rose above" : "fell below";
  const price = formatPrice(alert.price, alert.currency);
  const threshold = formatPrice(alert.thresholdValue, alert.currency);
  const iso = alert.at.toISOString();
  const readable = alert.at.toUTCString().replace("GMT", "UTC");
  const bound = alert.thresholdType === "HIGH" ? "high" : "low";
  const subject = `${alert.ticker} ${direction} ${threshold}: now ${price}`;
  const text = [
    `${alert.ticker} ${direction} your ${bound} threshold.`,
    "",
    `Ticker:        ${alert.ticker}`,
    `Current price: ${price}`,
    `Threshold:     ${threshold} (${alert.thresholdType})`,
    `Direction:     ${direction}`,
    `Time:          ${readable} (${iso})`,
    "",
    `Alert ${alert.alertId}. You receive this mail because you follow ${alert.ticker} on tickerwatch.`,
    ...(unsubscribe === undefined ? [] : [`Unsubscribe: ${unsubscribe}`]),
    "",
  ].join("\n");
  const e = escapeHtml;
  const row = (label: string, value: string) =>
    `<tr><th align="left" style="padding:2px 12px 2px 0">${label}</th><td>${value}</td></tr>`;
  const html = [
    "<!doctype html>",
    '<html><head><meta charset="utf-8"><title>' + e(subject) + "</title></head>",
    '<body style="font-family:sans-serif">',
    `<p><strong>${e(alert.ticker)}</strong> ${direction} your ${bound} threshold.</p>`,
    "<table>",
    row("Ticker", e(alert.ticker)),
    row("Current price", e(price)),
    row("Threshold", `${e(threshold)} (${e(alert.thresholdType)})`),
    row("Direction", direction),
    row("Time", `<time datetime="${e(iso)}">${e(readable)}</time> (${e(iso)})`),
    "</table>",
    `<p style="color:#666;font-size:small">Alert ${e(alert.alertId)}. ` +
    `You receive this mail because you follow ${e(alert.ticker)} on tickerwatch.</p>`,
    ...(unsubscribe === undefined
      ? []
      : [`<p style="font-size:small"><a href="${e(unsubscribe)}">Unsubscribe</a></p>`]),
    "</body></html>",
    "",
  ].join("\n");
  return { to: alert.email, subject, text, html };
}
