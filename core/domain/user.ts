import type { Email } from "./email.ts";
import type { Ticker } from "./ticker.ts";
import type { Thresholds } from "./thresholds.ts";

/** A subscription: one e-mail address follows one ticker with an optional alert band. */
export interface User {
  /** The subscriber's address, which identifies the user (one subscription per address). */
  readonly email: Email;
  /** The followed ticker, e.g. "AAPL". */
  readonly ticker: Ticker;
  /** The alert band for that ticker. */
  readonly thresholds: Thresholds;
}
