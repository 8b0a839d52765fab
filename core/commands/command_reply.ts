import type { Email } from "../domain/email.ts";
import type { Language } from "../domain/language.ts";
import type { Ticker } from "../domain/ticker.ts";
import type { CommandResult } from "./outcome.ts";

/** What a command's reply says, before it is put into words. */
export type CommandReply =
  | {
    readonly key: "registered" | "registered_unconfirmed";
    readonly email: Email;
    readonly ticker: Ticker;
  }
  | {
    readonly key:
      | "already_registered"
      | "logged_in"
      | "logged_in_unconfirmed"
      | "not_registered"
      | "updated"
      | "updated_unconfirmed"
      | "deleted";
    readonly email: Email;
  };

/** The kinds of command reply, one per outcome of each command. */
export type CommandReplyKey = CommandReply["key"];

/** How each kind of command reply is worded in one language. */
export type CommandReplyTexts = {
  readonly [K in CommandReplyKey]: (reply: CommandReply & { key: K }) => string;
};

/**
 * The reply texts of the commands, per language. Every success reply contains "success" (the
 * original client opens its user menu only when the register reply does) and the Italian delete
 * reply contains "cancellato" (the original client logs out only then).
 */
export const COMMAND_REPLY_TEXTS: { readonly [L in Language]: CommandReplyTexts } = {
  en: {
    registered: (r) => `user ${r.email} successfully registered for ${r.ticker}`,
    registered_unconfirmed: (r) =>
      `user ${r.email} successfully registered for ${r.ticker}; address not confirmed yet: ` +
      `alerts start once the link mailed to it is followed`,
    already_registered: (r) => `user ${r.email} is already registered`,
    logged_in: (r) => `user ${r.email} successfully logged in`,
    logged_in_unconfirmed: (r) =>
      `user ${r.email} successfully logged in; address not confirmed yet: ` +
      `follow the link of the confirmation mail to get alerts`,
    not_registered: (r) => `user ${r.email} is not registered`,
    updated: (r) => `user ${r.email} successfully updated`,
    updated_unconfirmed: (r) =>
      `user ${r.email} successfully updated; address not confirmed yet: ` +
      `alerts start once the link mailed to it is followed`,
    deleted: (r) => `user ${r.email} successfully deleted`,
  },
  it: {
    registered: (r) => `utente ${r.email} registrato con successo per ${r.ticker}`,
    registered_unconfirmed: (r) =>
      `utente ${r.email} registrato con successo per ${r.ticker}; indirizzo non ancora ` +
      `confermato: gli avvisi partono dopo aver seguito il link inviato`,
    already_registered: (r) => `l'utente ${r.email} è già registrato`,
    logged_in: (r) => `accesso di ${r.email} effettuato con successo`,
    logged_in_unconfirmed: (r) =>
      `accesso di ${r.email} effettuato con successo; indirizzo non ancora confermato: ` +
      `segui il link della mail di conferma per ricevere gli avvisi`,
    not_registered: (r) => `l'utente ${r.email} non è registrato`,
    updated: (r) => `utente ${r.email} aggiornato con successo`,
    updated_unconfirmed: (r) =>
      `utente ${r.email} aggiornato con successo; indirizzo non ancora confermato: ` +
      `gli avvisi partono dopo aver seguito il link inviato`,
    deleted: (r) => `account di ${r.email} cancellato con successo`,
  },
};

/**
 * Puts a command reply into words in `language`.
 *
 * @example
 * ```ts
 * commandReplyText({ key: "deleted", email }, "it"); // "account di … cancellato con successo"
 * ```
 */
export function commandReplyText(reply: CommandReply, language: Language): string {
  const text = COMMAND_REPLY_TEXTS[language][reply.key] as (r: CommandReply) => string;
  return text(reply);
}

/** A command's result with its reply, which the gRPC edge words in the caller's language. */
export interface CommandAnswer extends CommandResult {
  /** What the reply says; the same for a replayed request_id as for the first run. */
  readonly reply: CommandReply;
}
