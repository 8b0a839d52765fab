/**
 * The publisher port: sends one record and resolves once the broker acknowledged it. The
 * collector publishes price updates through it and the alert system alerts; the Kafka adapter's
 * `BatchingProducer` implements it.
 *
 * @example
 * ```ts
 * await publisher.send("to-notifier", { key: alert.email, value: JSON.stringify(alert) });
 * ```
 */
export interface RecordPublisher {
  /** Sends `record` to `topic`; resolves after the acknowledgement, rejects when it fails. */
  send(topic: string, record: { key: string; value: string }): Promise<unknown>;
}
