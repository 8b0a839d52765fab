import { ValidationError } from "./validation_error.ts";

/** Longest ticker symbol accepted. */
export const MAX_TICKER_LENGTH = 20;

/** A validated, upper-case Yahoo Finance symbol. */
export type Ticker = string & { readonly __brand: "Ticker" };

// An optional index caret, then alphanumeric parts joined by single ".", "-" or "=":
// AAPL, BRK-B, EURUSD=X, ^GSPC, BTC-USD, ENI.MI, GC=F.
const _TICKER = /^\^?[A-Z0-9]+(?:[.\-=][A-Z0-9]+)*$/;

/**
 * Validates a Yahoo Finance symbol and normalises it to upper case.
 *
 * @throws {ValidationError} when empty, too long or not shaped like a Yahoo symbol
 * @example
 * ```ts
 * parseTicker("brk-b", "register user"); // "BRK-B"
 * ```
 */
export function parseTicker(raw: string | undefined, action: string): Ticker {
  const ticker = (raw ?? "").trim().toUpperCase();
  if (ticker === "") throw new ValidationError(`Cannot ${action}: ticker is required`, "ticker");
  if (ticker.length > MAX_TICKER_LENGTH || !_TICKER.test(ticker)) {
    throw new ValidationError(
      `Cannot ${action}: ticker "${ticker}" is not a valid Yahoo Finance symbol ` +
        `(examples: AAPL, BRK-B, EURUSD=X, ^GSPC, BTC-USD, ENI.MI)`,
      "ticker",
    );
  }
  return ticker as Ticker;
}

/** True when `raw` is a valid ticker once normalised. */
export function isTicker(raw: string): boolean {
  const t = raw.trim().toUpperCase();
  return t.length > 0 && t.length <= MAX_TICKER_LENGTH && _TICKER.test(t);
}
