/**
 * The few checks tickerwatch's message schemas need (strings with bounds, finite positive
 * numbers, literals, options, arrays and objects), written out instead of loading zod: zod's
 * ~100 ES modules cost every consuming process about 14 MiB of resident memory for five small
 * schemas. Like zod's object schemas, an object check returns a copy holding only the known keys
 * (unknown ones, `__proto__` included, are dropped) and reports every mismatch with its path.
 */
import type { MessageIssue, MessageParseResult, MessageSchema } from "./message_schema.ts";

/** Checks one value at `path`; pushes what is wrong to `issues` and returns the value to keep. */
export type Check<T> = (value: unknown, path: readonly PropertyKey[], issues: MessageIssue[]) => T;

/** A check of an object key that may be absent; see {@linkcode optional}. */
export type OptionalCheck<T> = Check<T | undefined> & { readonly optional: true };

function _kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function _expected(kind: string, value: unknown): string {
  return `Invalid input: expected ${kind}, received ${_kind(value)}`;
}

/** A string of `min`..`max` UTF-16 units that passes `refine` when given. */
export function string(
  { min = 0, max = Infinity, refine }: {
    min?: number;
    max?: number;
    refine?: { test: (s: string) => boolean; message: string };
  } = {},
): Check<string> {
  return (value, path, issues) => {
    if (typeof value !== "string") {
      issues.push({ path, message: _expected("string", value) });
      return "";
    }
    if (value.length < min) {
      issues.push({ path, message: `Too small: expected string to have >=${min} characters` });
    } else if (value.length > max) {
      issues.push({ path, message: `Too big: expected string to have <=${max} characters` });
    } else if (refine && !refine.test(value)) {
      issues.push({ path, message: refine.message });
    }
    return value;
  };
}

/** A finite number above 0. */
export function positiveNumber(): Check<number> {
  return (value, path, issues) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push({ path, message: _expected("number", value) });
      return 0;
    }
    if (!(value > 0)) issues.push({ path, message: "Too small: expected number to be >0" });
    return value;
  };
}

/** Exactly `expected` (a string or number). */
export function literal<L extends string | number>(expected: L): Check<L> {
  return (value, path, issues) => {
    if (value !== expected) {
      issues.push({ path, message: `Invalid input: expected ${JSON.stringify(expected)}` });
    }
    return expected;
  };
}

/** One of `options`. */
export function oneOf<L extends string>(options: readonly L[]): Check<L> {
  return (value, path, issues) => {
    if (!options.includes(value as L)) {
      issues.push({
        path,
        message: `Invalid option: expected one of ${options.map((o) => `"${o}"`).join("|")}`,
      });
    }
    return value as L;
  };
}

/** `check`, or absent: an absent (or undefined) key is left out of the object's copy. */
export function optional<T>(check: Check<T>): OptionalCheck<T> {
  const optionalCheck: Check<T | undefined> = (value, path, issues) =>
    value === undefined ? undefined : check(value, path, issues);
  return Object.assign(optionalCheck, { optional: true as const });
}

/** An array whose every item passes `item`. */
export function arrayOf<T>(item: Check<T>): Check<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, message: _expected("array", value) });
      return [];
    }
    return value.map((v, i) => item(v, [...path, i], issues));
  };
}

/** The checks of an object's keys, one per key of `T`. */
export type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/** A plain object (not null, not an array) with `shape`'s keys; see the module doc. */
export function object<T>(shape: Shape<T>): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (value, path, issues) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.push({ path, message: _expected("object", value) });
      return {} as T;
    }
    const source = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const key of keys) {
      const check = shape[key] as Check<unknown> & { optional?: true };
      const own = Object.hasOwn(source, key) ? source[key] : undefined;
      const checked = check(own, [...path, key], issues);
      if (!(check.optional && own === undefined)) copy[key] = checked;
    }
    return copy as T;
  };
}

/** Thrown by {@linkcode schemaOf}'s `parse`: the issues, and a message listing them. */
export class MessageValidationError extends Error {
  /** Every mismatch found, with its path. */
  readonly issues: readonly MessageIssue[];

  /** Lists `issues` in the message, e.g. `price: Too small: expected number to be >0`. */
  constructor(issues: readonly MessageIssue[]) {
    super(issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
    this.name = "MessageValidationError";
    this.issues = issues;
  }
}

/** A {@linkcode MessageSchema} of a check (usually an {@linkcode object} check). */
export function schemaOf<T>(check: Check<T>): MessageSchema<T> {
  const safeParse = (value: unknown): MessageParseResult<T> => {
    const issues: MessageIssue[] = [];
    const data = check(value, [], issues);
    return issues.length === 0 ? { success: true, data } : { success: false, error: { issues } };
  };
  return {
    safeParse,
    parse(value: unknown): T {
      const result = safeParse(value);
      if (!result.success) throw new MessageValidationError(result.error.issues);
      return result.data;
    },
  };
}
