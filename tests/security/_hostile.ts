/**
 * Generators of hostile input for the security tests: raw protobuf bytes (random, wrong wire
 * types, truncated), oversized strings, extreme numbers, unicode tricks and SQL/HTML fragments.
 * Everything is seeded, so a failing case can be replayed.
 */

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one of `items`. */
export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** Strings no validation may accept as an e-mail address. */
export const BAD_EMAILS: readonly string[] = [
  "",
  " ",
  "' OR '1'='1",
  "admin'--",
  "x@example.com'; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "a@b.com, c@d.com",
  "a@b.com\r\nBcc: victim@example.com",
  "\u0000@example.com",
  "ann@exa\u0000mple.com",
  "ann＠example.com", // fullwidth at sign
  "\u202Emoc.elpmaxe@nna",
  "ann@ex\u200Bample..com",
  "a+<script>@example.com",
  "@example.com",
  "ann@",
  "x".repeat(300) + "@example.com",
  "ann@" + "a".repeat(70_000) + ".com",
  "\uD800@example.com", // a lone surrogate
  "ann@[127.0.0.1]",
];

/** Addresses that pass validation but carry HTML, quotes or unicode in the local part. */
export const TRICKY_VALID_EMAILS: readonly string[] = [
  `"<b>x</b>"@example.com`,
  `"a@b.com, c"@example.com`,
  `o'brien&co@example.com`,
  `ünïcødé@example.com`,
  `{x}|~@example.com`,
];

/** Tickers no validation may accept. */
export const BAD_TICKERS: readonly string[] = [
  "",
  "<img src=x onerror=alert(1)>",
  "AAPL'; DELETE FROM quotes; --",
  "A".repeat(21),
  "ＡＡＰＬ",
  "AAPL\u0000",
  "AA\u200BPL",
  "\u202ELPAA",
  "aapl lower",
  "X".repeat(100_000),
];

/** Numbers that are not valid thresholds (or counts), as doubles. */
export const EXTREME_NUMBERS: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  -1e308,
  -Number.MIN_VALUE,
];

/** A protobuf writer just big enough to write valid, wrong and broken messages. */
export class ProtoWriter {
  readonly #bytes: number[] = [];

  /** A varint. */
  varint(value: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.#bytes.push(byte);
    } while (v > 0n);
    return this;
  }

  /** A field key. */
  key(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  /** A length-delimited field (string or bytes). */
  string(field: number, value: string | Uint8Array): this {
    const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
    this.key(field, 2).varint(bytes.length);
    for (const b of bytes) this.#bytes.push(b);
    return this;
  }

  /** A double field (wire type 1). */
  double(field: number, value: number): this {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, value, true);
    this.key(field, 1);
    for (let i = 0; i < 8; i++) this.#bytes.push(buf.getUint8(i));
    return this;
  }

  /** Raw bytes, as they are. */
  raw(bytes: Iterable<number>): this {
    for (const b of bytes) this.#bytes.push(b & 0xff);
    return this;
  }

  /** The message. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** Random bytes of a random length below `max`. */
export function randomBytes(rand: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}
