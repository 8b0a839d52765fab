import validator from "validator";
import { ValidationError } from "./validation_error.ts";

/** Longest e-mail address accepted (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** A validated, normalised (trimmed, lower-case) e-mail address. */
export type Email = string & { readonly __brand: "Email" };

/**
 * Validates and normalises an e-mail address.
 *
 * @param raw the address as received
 * @param action what is being attempted, for the message ("register user")
 * @throws {ValidationError} when empty, longer than 254 characters or not an address
 * @example
 * ```ts
 * parseEmail(" Ada@Example.com ", "register user"); // "ada@example.com"
 * ```
 */
export function parseEmail(raw: string | undefined, action: string): Email {
  const email = (raw ?? "").trim().toLowerCase();
  if (email === "") throw new ValidationError(`Cannot ${action}: email is required`, "email");
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new ValidationError(
      `Cannot ${action}: email is longer than ${MAX_EMAIL_LENGTH} characters`,
      "email",
    );
  }
  if (!validator.isEmail(email, { allow_display_name: false, allow_ip_domain: false })) {
    throw new ValidationError(`Cannot ${action}: email "${email}" is not valid`, "email");
  }
  return email as Email;
}
