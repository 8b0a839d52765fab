import assert from "node:assert/strict";
import { formatPrice } from "../../core/domain/price_format.ts";

Deno.test("formatPrice: a value written again (from its cache) reads the same", () => {
  const values = [308.8, 1.0489877, 0.00001234, 93412.58, 0.1 + 0.2, 150, 1e-7, 123456789.123];
  const first = values.map((v) => formatPrice(v, "USD"));
  assert.deepEqual(first, [
    "308.80 USD",
    "1.0489877 USD",
    "0.00001234 USD",
    "93412.58 USD",
    "0.30 USD",
    "150.00 USD",
    "0.0000001 USD",
    "123456789.12 USD",
  ]);
  assert.deepEqual(values.map((v) => formatPrice(v, "USD")), first);
  assert.deepEqual(values.map((v) => formatPrice(v)), first.map((t) => t.replace(" USD", "")));
});

Deno.test("formatPrice: 0 and -0 keep their own texts in either order", () => {
  assert.equal(formatPrice(0), "0.00");
  assert.equal(formatPrice(-0), "-0.00");
  assert.equal(formatPrice(0), "0.00");
});

Deno.test("formatPrice: past the cache's size every value is still written at its precision", () => {
  for (let i = 1; i <= 10_000; i++) {
    const value = i / 1000;
    const text = formatPrice(value);
    assert.equal(Number(text), value, text);
    assert.ok(/^\d+\.\d{2,}$/.test(text), text);
  }
  assert.equal(formatPrice(1.5), "1.50");
  assert.equal(formatPrice(-2.25, "EUR"), "-2.25 EUR");
});
