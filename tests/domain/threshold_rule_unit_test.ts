import assert from "node:assert/strict";
import type { AlertRules } from "../../core/domain/alert_mode.ts";
import { applyThresholdRule, type ThresholdState } from "../../core/domain/threshold_rule.ts";

const EDGE: AlertRules = { mode: "edge", hysteresis: 0.005 };
const LEVEL: AlertRules = { mode: "level", hysteresis: 0.005 };

const armedHigh: ThresholdState = { type: "HIGH", value: 200, fired: false };
const firedHigh: ThresholdState = { ...armedHigh, fired: true };
const armedLow: ThresholdState = { type: "LOW", value: 100, fired: false };
const firedLow: ThresholdState = { ...armedLow, fired: true };

Deno.test("applyThresholdRule() (edge) fires an armed HIGH only above it and an armed LOW only below it", () => {
  assert.deepEqual(applyThresholdRule(armedHigh, 200.01, EDGE), { action: "fire", fired: true });
  assert.deepEqual(applyThresholdRule(armedHigh, 200, EDGE), { action: "none", fired: false });
  assert.deepEqual(applyThresholdRule(armedHigh, 150, EDGE), { action: "none", fired: false });
  assert.deepEqual(applyThresholdRule(armedLow, 99.99, EDGE), { action: "fire", fired: true });
  assert.deepEqual(applyThresholdRule(armedLow, 100, EDGE), { action: "none", fired: false });
  assert.deepEqual(applyThresholdRule(armedLow, 150, EDGE), { action: "none", fired: false });
});

Deno.test("applyThresholdRule() (edge) never fires a fired threshold again while the price stays beyond", () => {
  assert.deepEqual(applyThresholdRule(firedHigh, 250, EDGE), { action: "none", fired: true });
  assert.deepEqual(applyThresholdRule(firedLow, 50, EDGE), { action: "none", fired: true });
});

Deno.test("applyThresholdRule() (edge) re-arms only once the price is back inside by the hysteresis", () => {
  // HIGH 200, h 0.5 %: re-arms when 200 >= price / 0.995, i.e. price <= 199.
  assert.deepEqual(applyThresholdRule(firedHigh, 199.5, EDGE), { action: "none", fired: true });
  assert.deepEqual(applyThresholdRule(firedHigh, 199, EDGE), { action: "re-arm", fired: false });
  assert.deepEqual(applyThresholdRule(firedHigh, 198, EDGE), { action: "re-arm", fired: false });
  // LOW 100, h 0.5 %: re-arms when 100 <= price / 1.005, i.e. price >= 100.5.
  assert.deepEqual(applyThresholdRule(firedLow, 100.4, EDGE), { action: "none", fired: true });
  assert.deepEqual(applyThresholdRule(firedLow, 100.5, EDGE), { action: "re-arm", fired: false });
});

Deno.test("applyThresholdRule() (edge, no hysteresis) re-arms at the threshold itself", () => {
  const rules: AlertRules = { mode: "edge", hysteresis: 0 };
  assert.deepEqual(applyThresholdRule(firedHigh, 200, rules), { action: "re-arm", fired: false });
  assert.deepEqual(applyThresholdRule(firedHigh, 200.01, rules), { action: "none", fired: true });
  assert.deepEqual(applyThresholdRule(firedLow, 100, rules), { action: "re-arm", fired: false });
  assert.deepEqual(applyThresholdRule(firedLow, 99.99, rules), { action: "none", fired: true });
});

Deno.test("applyThresholdRule() (level) fires whenever the price is beyond, whatever the flag, and keeps the flag", () => {
  for (const fired of [false, true]) {
    const high = { ...armedHigh, fired }, low = { ...armedLow, fired };
    assert.deepEqual(applyThresholdRule(high, 205, LEVEL), { action: "fire", fired });
    assert.deepEqual(applyThresholdRule(high, 200, LEVEL), { action: "none", fired });
    assert.deepEqual(applyThresholdRule(high, 150, LEVEL), { action: "none", fired });
    assert.deepEqual(applyThresholdRule(low, 95, LEVEL), { action: "fire", fired });
    assert.deepEqual(applyThresholdRule(low, 100, LEVEL), { action: "none", fired });
    assert.deepEqual(applyThresholdRule(low, 150, LEVEL), { action: "none", fired });
  }
});

Deno.test("applyThresholdRule() takes 1 − h and 1 + h exactly in decimal, as SQL does with a literal like 0.07", () => {
  // SQL: 100 / (1 - 0.07) = 100 / 0.93; in binary, 1 - 0.07 is 0.9299999999999999 and the
  // quotient one bit larger, above this threshold.
  assert.notEqual(100 / 0.93, 100 / (1 - 0.07));
  const high: ThresholdState = { type: "HIGH", value: 100 / 0.93, fired: true };
  const h7: AlertRules = { mode: "edge", hysteresis: 0.07 };
  assert.deepEqual(applyThresholdRule(high, 100, h7), { action: "re-arm", fired: false });
  // 1 + 0.14 is 1.1400000000000001 in binary; SQL divides by 1.14.
  assert.notEqual(100 / 1.14, 100 / (1 + 0.14));
  const low: ThresholdState = { type: "LOW", value: 100 / 1.14, fired: true };
  const h14: AlertRules = { mode: "edge", hysteresis: 0.14 };
  assert.deepEqual(applyThresholdRule(low, 100, h14), { action: "re-arm", fired: false });
});

Deno.test("applyThresholdRule() accepts a margin small enough to print in exponent notation", () => {
  const rules: AlertRules = { mode: "edge", hysteresis: 1e-7 };
  const high: ThresholdState = { type: "HIGH", value: 100 / (1 - 1e-7), fired: true };
  assert.deepEqual(applyThresholdRule(high, 100, rules), { action: "re-arm", fired: false });
  assert.deepEqual(applyThresholdRule(high, 100.00001, rules), { action: "none", fired: true });
});
