import type { AlertMessage } from "./messages.ts";
import { AlertMessageSchema, MESSAGE_VERSION } from "./messages.ts";
import { literal, object, schemaOf, string } from "./message_checks.ts";
import type { MessageParseResult, MessageSchema } from "./message_schema.ts";

/**
 * The command server's message on `to-notifier` (key = e-mail) asking the notifier to mail a
 * confirmation link to a newly registered address (double opt-in). `kind` tells it from an
 * {@linkcode AlertMessage}, which has none, so version-1 alert messages stay valid as they are.
 */
export interface ConfirmationMessage {
  /** Always {@linkcode MESSAGE_VERSION}. */
  version: typeof MESSAGE_VERSION;
  /** Always "confirmation". */
  kind: "confirmation";
  /** Id of this request, 1 to 64 characters (the mail's Message-ID is derived from it). */
  confirmation_id: string;
  /** The address to confirm. */
  email: string;
  /** The signed link that confirms it, an http(s) URL. */
  confirm_url: string;
  /** When the link stops working, ISO-8601. */
  expires_at: string;
}

/** Schema of a {@linkcode ConfirmationMessage}. */
export const ConfirmationMessageSchema: MessageSchema<ConfirmationMessage> = schemaOf(
  object<ConfirmationMessage>({
    version: literal(MESSAGE_VERSION),
    kind: literal("confirmation"),
    confirmation_id: string({ min: 1, max: 64 }),
    email: string({ min: 3, max: 254 }),
    confirm_url: string({
      max: 2048,
      refine: { test: (s) => /^https?:\/\//.test(s), message: "must be an http(s) URL" },
    }),
    expires_at: string({
      refine: { test: (s) => !Number.isNaN(Date.parse(s)), message: "must be an ISO-8601 time" },
    }),
  }),
);

/** What the notifier consumes from `to-notifier`: an alert or a confirmation request. */
export type NotifierMessage = AlertMessage | ConfirmationMessage;

/** Whether `message` is a confirmation request rather than an alert. */
export function isConfirmationMessage(message: NotifierMessage): message is ConfirmationMessage {
  return (message as { kind?: unknown }).kind === "confirmation";
}

/**
 * Schema of a `to-notifier` message: a {@linkcode ConfirmationMessage} when `kind` is
 * "confirmation", else an {@linkcode AlertMessage}.
 */
export const NotifierMessageSchema: MessageSchema<NotifierMessage> = {
  parse(value: unknown): NotifierMessage {
    return _schemaOf(value).parse(value);
  },
  safeParse(value: unknown): MessageParseResult<NotifierMessage> {
    return _schemaOf(value).safeParse(value);
  },
};

function _schemaOf(value: unknown): MessageSchema<NotifierMessage> {
  const kind = typeof value === "object" && value !== null
    ? (value as { kind?: unknown }).kind
    : undefined;
  return kind === undefined ? AlertMessageSchema : ConfirmationMessageSchema;
}
