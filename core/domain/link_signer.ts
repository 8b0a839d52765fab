import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

/** Shortest signing key accepted, in bytes (HMAC-SHA256 wants at least its output size). */
export const MIN_LINK_KEY_BYTES = 32;

/**
 * Signs and verifies the tokens of links sent by mail (confirmation, unsubscribe): a token is
 * `base64url(payload).base64url(HMAC-SHA256(key, payload))`. Verification compares in constant
 * time, so a link cannot be forged without the key and nothing needs to be looked up to tell a
 * forged one from a real one. The key never leaves the instance.
 *
 * @example
 * ```ts
 * const signer = new LinkSigner(key);
 * signer.verify(signer.sign('{"k":"u"}')); // '{"k":"u"}'
 * ```
 */
export class LinkSigner {
  readonly #key: Buffer;

  /**
   * Takes the secret key (text or bytes).
   *
   * @throws {RangeError} when the key is shorter than {@linkcode MIN_LINK_KEY_BYTES} bytes
   */
  constructor(key: string | Uint8Array) {
    this.#key = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key);
    if (this.#key.length < MIN_LINK_KEY_BYTES) {
      throw new RangeError(`link signing key must be at least ${MIN_LINK_KEY_BYTES} bytes`);
    }
  }

  /** The token of `payload`: the payload and its signature, both base64url. */
  sign(payload: string): string {
    const body = Buffer.from(payload, "utf8");
    return `${body.toString("base64url")}.${this.#mac(body).toString("base64url")}`;
  }

  /** The payload of `token` when its signature is the key's, else undefined. */
  verify(token: string): string | undefined {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return undefined;
    const body = Buffer.from(m[1]!, "base64url");
    const given = Buffer.from(m[2]!, "base64url");
    const expected = this.#mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return body.toString("utf8");
  }

  /** Avoids printing the key in logs and errors. */
  toJSON(): string {
    return "[LinkSigner]";
  }

  #mac(body: Buffer): Buffer {
    return createHmac("sha256", this.#key).update(body).digest();
  }
}
