/** The note that tells a recipient how many alerts the per-address cap held back. */
import type { Mail } from "./mailer.ts";

/**
 * `mail` with a note saying that `heldBack` more alerts were held back by the cap of
 * `maxPerHour` mails per hour: a subject suffix ("(and 7 more alerts held back)"), a paragraph at
 * the end of the text and one before `</body>` in the HTML. Unchanged when `heldBack` is 0.
 *
 * @example
 * ```ts
 * withHeldBackNote(renderAlertEmail(alert), 7, 20).subject;
 * // "AAPL rose above 150.00: now 151.20 (and 7 more alerts held back)"
 * ```
 */
export function withHeldBackNote(mail: Mail, heldBack: number, maxPerHour: number): Mail {
  if (heldBack <= 0) return mail;
  const count = heldBack === 1 ? "1 more alert" : `${heldBack} more alerts`;
  const sentence = `And ${count} held back: this address gets at most ${maxPerHour} ` +
    "alert mails per hour, so alerts beyond that are counted and reported in the next mail.";
  const paragraph = `<p style="color:#666;font-size:small">${sentence}</p>\n`;
  const end = mail.html.lastIndexOf("</body>");
  return {
    ...mail,
    subject: `${mail.subject} (and ${count} held back)`,
    text: `${mail.text.replace(/\n*$/, "\n")}\n${sentence}\n`,
    html: end < 0
      ? mail.html + paragraph
      : mail.html.slice(0, end) + paragraph + mail.html.slice(end),
  };
}
