import type { Email } from "./email.ts";
import type { Ticker } from "./ticker.ts";
import type { Thresholds } from "./thresholds.ts";

/** A subscription: one e-mail address follows one ticker with an optional alert band. */
export interface User {
  readonly email: Email;
  readonly ticker: Ticker;
  readonly thresholds: Thresholds;
}
