import assert from "node:assert/strict";
import { alertOf } from "../../core/domain/alert.ts";
import { alertIdOf } from "../../core/domain/alert_id.ts";
import type { Crossing } from "../../core/domain/crossing.ts";

const CYCLE = "5f0c8a52-3b1e-4c8e-9a57-2d6f1e0b7c3a";
const CROSSING: Crossing = {
  email: "ann@example.com",
  ticker: "BRK-B",
  thresholdType: "HIGH",
  thresholdValue: 480.5,
  price: 497.63,
  at: new Date("2026-01-05T15:30:00Z"),
};

// Ids the previous versions gave for these inputs: the notifier's idempotency record holds them
// across an upgrade, so they must never change.
Deno.test("alertIdOf() gives the same ids as the previous versions", () => {
  assert.equal(alertIdOf(CYCLE, CROSSING), "954126ec3cc5524c661ab10e5e920e0f");
  assert.equal(
    alertIdOf(CYCLE, {
      ...CROSSING,
      ticker: "EURUSD=X",
      thresholdType: "LOW",
      thresholdValue: 0.1 + 0.2,
    }),
    "905932fee7f6734b98b77582826c7fad",
  );
});

Deno.test("alertIdOf() ignores the price and time, and changes with any other part", () => {
  const id = alertIdOf(CYCLE, CROSSING);
  const later: Crossing = { ...CROSSING, price: 500, at: new Date() };
  assert.equal(alertIdOf(CYCLE, later), id);
  const others = [
    alertIdOf("another-cycle", CROSSING),
    alertIdOf(CYCLE, { ...CROSSING, email: "bob@example.com" }),
    alertIdOf(CYCLE, { ...CROSSING, ticker: "AAPL" }),
    alertIdOf(CYCLE, { ...CROSSING, thresholdType: "LOW" }),
    alertIdOf(CYCLE, { ...CROSSING, thresholdValue: 480.50000000000006 }),
  ];
  assert.equal(new Set([id, ...others]).size, 6);
  for (const other of others) assert.match(other, /^[0-9a-f]{32}$/);
});

Deno.test("alertOf() is the crossing plus its cycle's alert id", () => {
  assert.deepEqual(alertOf(CYCLE, CROSSING), {
    ...CROSSING,
    alertId: "954126ec3cc5524c661ab10e5e920e0f",
  });
});
