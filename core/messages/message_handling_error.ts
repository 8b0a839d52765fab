/** The error a message handler throws to say whether the message may be tried again. */

/**
 * An error a message handler throws to say whether trying the same message again may help.
 * {@linkcode ConsumerRunner} retries retriable errors with backoff and parks non-retriable
 * ones in the dead-letter topic. Any thrown value with `retriable: false` counts as
 * non-retriable; everything else is retried.
 *
 * @example
 * ```ts
 * throw new MessageHandlingError("Cannot notify: unknown template", { retriable: false });
 * ```
 */
export class MessageHandlingError extends Error {
  /** Whether a later attempt with the same message may succeed. */
  readonly retriable: boolean;
  /** Takes the message, whether a retry may help, and optionally the `cause`. */
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MessageHandlingError";
    this.retriable = options.retriable;
  }
}

/**
 * Whether `err` asks to be retried: false only for errors with `retriable === false`. kafkajs's
 * own errors are always retried: their flag speaks of kafkajs's internal retries, and a broker
 * outage that outlasted them (KafkaJSNumberOfRetriesExceeded) must not park the message.
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof Error && err.name.startsWith("KafkaJS")) return true;
  return !(typeof err === "object" && err !== null &&
    (err as { retriable?: unknown }).retriable === false);
}
