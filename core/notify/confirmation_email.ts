/** Renders the double opt-in mail. */
import type { ConfirmationMessage } from "../messages/confirmation_message.ts";
import { escapeHtml } from "./alert_email.ts";
import type { Mail } from "./mailer.ts";

/**
 * The confirmation mail of `message`: the link to follow, when it expires, and what happens if
 * it is not followed (nothing). Message-ID `<confirmation_id@tickerwatch>` when the id is a
 * valid local part, so a resent one is recognisably the same mail.
 *
 * @example
 * ```ts
 * renderConfirmationEmail(message).subject; // "Confirm your tickerwatch alerts"
 * ```
 */
export function renderConfirmationEmail(message: ConfirmationMessage): Mail {
  const url = message.confirm_url;
  const expires = new Date(message.expires_at).toUTCString().replace("GMT", "UTC");
  const subject = "Confirm your tickerwatch alerts";
  const text = [
    "Someone (hopefully you) subscribed this address to price alerts on tickerwatch.",
    "",
    `To start receiving them, open this link before ${expires}:`,
    url,
    "",
    "If it was not you, ignore this mail: without confirmation no alert is ever sent here.",
    "",
  ].join("\n");
  const e = escapeHtml;
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${subject}</title></head>`,
    '<body style="font-family:sans-serif">',
    "<p>Someone (hopefully you) subscribed this address to price alerts on tickerwatch.</p>",
    `<p><a href="${e(url)}">Confirm the subscription</a> (the link works until ${e(expires)}).</p>`,
    `<p style="color:#666;font-size:small">If it was not you, ignore this mail: without ` +
    "confirmation no alert is ever sent here.</p>",
    "</body></html>",
    "",
  ].join("\n");
  const mail: Mail = { to: message.email, subject, text, html };
  return /^[A-Za-z0-9_-]+$/.test(message.confirmation_id)
    ? { ...mail, messageId: `<${message.confirmation_id}@tickerwatch>` }
    : mail;
}
