/** What a consumer needs of a message schema: validation of a parsed JSON value. */

/** One mismatch a {@linkcode MessageSchema} found in a value. */
export interface MessageIssue {
  /** Where in the value, e.g. `["quotes", 0, "price"]`; empty for the value itself. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, e.g. "Too small: expected number to be >0". */
  readonly message: string;
}

/** What {@linkcode MessageSchema.safeParse} returns: the typed value, or why it does not match. */
export type MessageParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly MessageIssue[] } };

/**
 * A validator of one kind of message value (a parsed JSON object). tickerwatch's own schemas
 * are built from core/messages/message_checks.ts; every zod schema of output `T` is one too, so
 * `z.object({ … })` can be passed wherever a `MessageSchema<T>` is asked for.
 *
 * @example
 * ```ts
 * const result = PriceUpdateSchema.safeParse(JSON.parse(text));
 * if (result.success) console.log(result.data.cycle_id);
 * ```
 */
export interface MessageSchema<T> {
  /**
   * Returns the validated value as `T` (object schemas return a copy without unknown keys).
   *
   * @throws {Error} when `value` does not match (a `MessageValidationError` listing the issues
   * for tickerwatch's schemas, a `ZodError` for zod schemas)
   */
  parse(value: unknown): T;
  /** Validates `value` without throwing. */
  safeParse(value: unknown): MessageParseResult<T>;
}
