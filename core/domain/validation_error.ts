/**
 * Input that breaks a domain rule. Maps to INVALID_ARGUMENT at the gRPC edge; the message is
 * meant for the caller, e.g. "Cannot register user: email is not valid".
 */
export class ValidationError extends Error {
  /** The request field at fault, e.g. "email", when one is. */
  readonly field: string | undefined;
  /** Takes the message for the caller and, when one is at fault, the request field's name. */
  constructor(message: string, field?: string) {
    super(message);
    this.name = "ValidationError";
    this.field = field;
  }
}
