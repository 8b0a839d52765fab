/** Errors of the Kafka adapter. */

/** The producer was closed before the message could be sent, or is closed already. */
export class ProducerClosedError extends Error {
  /** Takes the message; default "Cannot send: the producer is closed". */
  constructor(message = "Cannot send: the producer is closed") {
    super(message);
    this.name = "ProducerClosedError";
  }
}
