/** A query asked for something that does not exist. Maps to NOT_FOUND at the gRPC edge. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
