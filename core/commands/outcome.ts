/** How a processed command ended, as stored for replays and mapped to gRPC at the edge. */
export type OutcomeCode = "OK" | "ALREADY_EXISTS" | "NOT_FOUND";

/** The stored result of a command: replaying its request_id returns exactly this. */
export interface Outcome {
  /** How the command ended; the gRPC edge maps it to a status code. */
  readonly code: OutcomeCode;
  /** Human-readable reply text, e.g. "user ada@example.com registered for AAPL". */
  readonly message: string;
  /** Only for LoginUser. */
  readonly success?: boolean;
}

/** Builders for {@linkcode Outcome}. */
export const Outcome = {
  ok: (message: string, success?: boolean): Outcome =>
    success === undefined ? { code: "OK", message } : { code: "OK", message, success },
  alreadyExists: (message: string): Outcome => ({ code: "ALREADY_EXISTS", message }),
  notFound: (message: string): Outcome => ({ code: "NOT_FOUND", message }),
};

/** What the command service answers: the outcome, and whether it was replayed from storage. */
export interface CommandResult {
  /** How the command ended. */
  readonly outcome: Outcome;
  /** True when the request_id was seen before and the stored outcome was returned. */
  readonly replayed: boolean;
}
