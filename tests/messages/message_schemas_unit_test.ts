/**
 * The message schemas (core/messages/message_checks.ts, written out to keep zod out of the
 * services) accept and reject exactly what their former zod definitions did, and return the
 * same copies: checked on generated JSON values, mostly valid messages with fields replaced by
 * arbitrary JSON, extra keys (`__proto__` too) and deep values. The zod schemas below are the
 * definitions the services used before (zod stays a dev dependency for this and other tests).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { z } from "zod";
import {
  AlertMessageSchema,
  ConfirmationMessageSchema,
  type MessageSchema,
  NotifierMessageSchema,
  PriceUpdateSchema,
  QuoteMessageSchema,
} from "../../core/mod.ts";
import { MessageValidationError } from "../../core/messages/message_checks.ts";

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time");
const price = z.number().finite().positive();
const ticker = z.string().min(1).max(20);
const currency = z.string().min(1).max(12);
const zodQuote = z.object({
  ticker,
  price,
  at: isoDate,
  currency: currency.optional(),
  market_time: isoDate.optional(),
});
const zodUpdate = z.object({
  version: z.literal(1),
  cycle_id: z.string().min(1).max(64),
  collected_at: isoDate,
  quotes: z.array(zodQuote),
});
const zodAlert = z.object({
  version: z.literal(1),
  alert_id: z.string().min(1).max(64),
  email: z.string().min(3).max(254),
  ticker,
  threshold_value: price,
  threshold_type: z.enum(["HIGH", "LOW"]),
  value_ticker: price,
  timestamp: isoDate,
  currency: currency.optional(),
});
const zodConfirmation = z.object({
  version: z.literal(1),
  kind: z.literal("confirmation"),
  confirmation_id: z.string().min(1).max(64),
  email: z.string().min(3).max(254),
  confirm_url: z.string().max(2048).refine((s) => /^https?:\/\//.test(s), "must be an http(s) URL"),
  expires_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time"),
});

const now = new Date("2026-11-26T15:00:00Z").toISOString();
const validQuote = { ticker: "AAPL", price: 101.5, at: now, currency: "USD", market_time: now };
const valid = {
  quote: validQuote,
  update: { version: 1, cycle_id: "c-1", collected_at: now, quotes: [validQuote, validQuote] },
  alert: {
    version: 1,
    alert_id: "a".repeat(40),
    email: "ada@example.com",
    ticker: "AAPL",
    threshold_value: 100,
    threshold_type: "HIGH",
    value_ticker: 101.5,
    timestamp: now,
    currency: "USD",
  },
  confirmation: {
    version: 1,
    kind: "confirmation",
    confirmation_id: "k-1",
    email: "ada@example.com",
    confirm_url: "http://localhost:8080/confirm?t=x",
    expires_at: now,
  },
};

/** Values a field may be replaced with: JSON of every kind and near-misses of the valid ones. */
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1, 2, 1e308, "", "x", "HIGH", "LOW", "high", now, "2026-13-45", "1"),
  fc.string({ maxLength: 300 }),
  fc.double(),
  fc.constantFrom("a".repeat(20), "a".repeat(21), "a".repeat(64), "a".repeat(65), "ab", "abc"),
  fc.constantFrom("https://x", "ftp://x", "http:/x", "a".repeat(2049)),
);

/** `base` with some fields replaced, removed or added (never undefined: JSON has none). */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc.tuple(
    fc.dictionary(fc.constantFrom(...keys), fieldValue, { maxKeys: 3 }),
    fc.subarray(keys, { maxLength: 2 }),
    fc.dictionary(fc.constantFrom("extra", "__proto__", "constructor", "kind"), fieldValue, {
      maxKeys: 2,
    }),
  ).map(([replaced, removed, added]) => {
    // JSON.parse keeps "__proto__" as an own key; so does this.
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    for (const key of removed) delete copy[key];
    for (const [k, v] of Object.entries(replaced)) copy[k] = v;
    return JSON.parse(JSON.stringify({ ...copy, ...added }));
  });
}

function anyMessage(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: mutated(base) },
    { weight: 1, arbitrary: fc.constant(base) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

function paths(issues: readonly { path: readonly PropertyKey[] }[]): string[] {
  return [...new Set(issues.map((i) => i.path.join(".")))].sort();
}

function sameAsZod(ours: MessageSchema<unknown>, zod: z.ZodType, value: unknown): void {
  const a = ours.safeParse(value);
  const b = zod.safeParse(value);
  assert.equal(a.success, b.success, `success differs on ${JSON.stringify(value)}`);
  if (a.success && b.success) {
    assert.deepStrictEqual(a.data, b.data, `copies differ on ${JSON.stringify(value)}`);
  } else if (!a.success && !b.success) {
    assert.deepEqual(paths(a.error.issues), paths(b.error.issues), JSON.stringify(value));
  }
}

const cases: [string, MessageSchema<unknown>, z.ZodType, Record<string, unknown>][] = [
  ["QuoteMessageSchema", QuoteMessageSchema, zodQuote, valid.quote],
  ["PriceUpdateSchema", PriceUpdateSchema, zodUpdate, valid.update],
  ["AlertMessageSchema", AlertMessageSchema, zodAlert, valid.alert],
  ["ConfirmationMessageSchema", ConfirmationMessageSchema, zodConfirmation, valid.confirmation],
];

for (const [name, ours, zod, base] of cases) {
  Deno.test(`${name} accepts, rejects and copies like its zod definition`, () => {
    fc.assert(fc.property(anyMessage(base), (value) => sameAsZod(ours, zod, value)), {
      numRuns: 3_000,
    });
  });
}

Deno.test("PriceUpdateSchema checks every quote like zod, with the quote's index in the path", () => {
  const quotes = fc.array(anyMessage(valid.quote), { maxLength: 4 });
  fc.assert(
    fc.property(
      quotes,
      (qs) => sameAsZod(PriceUpdateSchema, zodUpdate, { ...valid.update, quotes: qs }),
    ),
    { numRuns: 2_000 },
  );
  const result = PriceUpdateSchema.safeParse({
    ...valid.update,
    quotes: [validQuote, { ...validQuote, price: -1 }],
  });
  assert.ok(!result.success);
  assert.deepEqual(result.error.issues, [{
    path: ["quotes", 1, "price"],
    message: "Too small: expected number to be >0",
  }]);
});

Deno.test("a valid message comes back as a copy without unknown keys", () => {
  const input = JSON.parse(
    JSON.stringify({ ...valid.alert, extra: 1 }).replace('"extra"', '"__proto__":{"x":1},"extra"'),
  );
  const parsed = AlertMessageSchema.parse(input);
  assert.notEqual(parsed, input);
  assert.deepStrictEqual(parsed, valid.alert);
  assert.ok(!Object.hasOwn(parsed, "__proto__") && !Object.hasOwn(parsed, "extra"));
  const { currency: _, ...withoutCurrency } = valid.alert;
  assert.deepStrictEqual(AlertMessageSchema.parse(withoutCurrency), withoutCurrency);
  assert.ok(!("currency" in AlertMessageSchema.parse(withoutCurrency)));
});

Deno.test("parse throws a MessageValidationError naming each bad field", () => {
  const bad = { ...valid.alert, version: 2, threshold_type: "SIDEWAYS", email: 7 };
  assert.throws(() => AlertMessageSchema.parse(bad), (err: unknown) => {
    assert.ok(err instanceof MessageValidationError);
    assert.deepEqual(err.issues.map((i) => i.path.join(".")), [
      "version",
      "email",
      "threshold_type",
    ]);
    assert.match(err.message, /^version: Invalid input: expected 1; email: .*expected string/);
    return true;
  });
  assert.throws(() => PriceUpdateSchema.parse([]), /\(root\): Invalid input: expected object/);
  assert.throws(() => NotifierMessageSchema.parse(null), MessageValidationError);
});
