/** A request_id was reused for a different request. Maps to INVALID_ARGUMENT. */
export class RequestIdConflictError extends Error {
  /** The reused request id. */
  readonly requestId: string;
  /** Takes the request id that was reused. */
  constructor(requestId: string) {
    super(`request_id "${requestId}" was already used for a different request`);
    this.name = "RequestIdConflictError";
    this.requestId = requestId;
  }
}
