import { createHash } from "node:crypto";
import type { Crossing } from "./crossing.ts";

/**
 * A deterministic alert id: the same cycle, user, ticker, direction and threshold always give
 * the same id, so a redelivered cycle produces alerts the notifier recognises as already sent.
 * The id must not change from one version to the next (the notifier's idempotency record spans
 * them): the first 32 hex digits of the SHA-256 of the five parts joined by NUL, the threshold
 * written as JavaScript prints the number.
 *
 * @example
 * ```ts
 * alertIdOf("5f0c8a52-3b1e-4c8e-9a57-2d6f1e0b7c3a", {
 *   email: "ann@example.com", ticker: "BRK-B", thresholdType: "HIGH", thresholdValue: 480.5,
 * }); // "954126ec3cc5524c661ab10e5e920e0f"
 * ```
 */
export function alertIdOf(
  cycleId: string,
  crossing: Pick<Crossing, "email" | "ticker" | "thresholdType" | "thresholdValue">,
): string {
  const { email, ticker, thresholdType, thresholdValue } = crossing;
  return createHash("sha256")
    .update([cycleId, email, ticker, thresholdType, thresholdValue].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}
