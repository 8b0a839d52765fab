/** Names of tickerwatch's Kafka topics and of their dead-letter topics. */

/** Quotes of one collector cycle, for the alert system (key "update"). */
export const TOPIC_TO_ALERT_SYSTEM = "to-alert-system";

/** One message per breached threshold, for the notifier (key = the user's email). */
export const TOPIC_TO_NOTIFIER = "to-notifier";

/** Suffix of a dead-letter topic: malformed or non-retriable messages of `t` are parked in `t.dlq`. */
export const DLQ_SUFFIX = ".dlq";

/**
 * The dead-letter topic of `topic`.
 *
 * @example
 * ```ts
 * dlqTopicOf("to-notifier"); // "to-notifier.dlq"
 * ```
 */
export function dlqTopicOf(topic: string): string {
  return topic + DLQ_SUFFIX;
}

/** Dead-letter topic of {@linkcode TOPIC_TO_ALERT_SYSTEM}. */
export const TOPIC_TO_ALERT_SYSTEM_DLQ: string = dlqTopicOf(TOPIC_TO_ALERT_SYSTEM);

/** Dead-letter topic of {@linkcode TOPIC_TO_NOTIFIER}. */
export const TOPIC_TO_NOTIFIER_DLQ: string = dlqTopicOf(TOPIC_TO_NOTIFIER);
