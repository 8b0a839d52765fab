/** A query asked for something that does not exist. Maps to NOT_FOUND at the gRPC edge. */
export class NotFoundError extends Error {
  /** Takes the message for the caller, e.g. "user ada@example.com is not registered". */
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
