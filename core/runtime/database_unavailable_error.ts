/** The database cannot be reached right now. Maps to UNAVAILABLE; callers may retry. */
export class DatabaseUnavailableError extends Error {
  /** Always true: a later attempt may succeed. */
  readonly retriable = true;
  /** Takes the message and, optionally, the driver error as `cause`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}
