import { createHash } from "node:crypto";

/**
 * A deterministic alert id: the same cycle, user, ticker, direction and threshold always give
 * the same id, so a redelivered cycle produces alerts the notifier recognises as already sent.
 */
export function alertIdOf(parts: {
  cycleId: string;
  email: string;
  ticker: string;
  thresholdType: "HIGH" | "LOW";
  thresholdValue: number;
}): string {
  return createHash("sha256")
    .update(
      [parts.cycleId, parts.email, parts.ticker, parts.thresholdType, parts.thresholdValue].join(
        "\u0000",
      ),
    )
    .digest("hex")
    .slice(0, 32);
}
