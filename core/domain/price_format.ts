/** How every price is written for people: mails, the CLI. */

const _SIGNIFICANT = 8;
const _MAX_DECIMALS = 20;
const _formats = new Map<number, Intl.NumberFormat>();
// Texts of recent values (a cycle mails the same prices and thresholds to many users): working out
// a value's decimals and formatting it costs ~10 µs; emptied when it reaches _MAX_TEXTS.
const _texts = new Map<number, string>();
const _MAX_TEXTS = 4096;

/**
 * Writes a price at its own precision: at least 2 decimals, and as many more as its first 8
 * significant digits need (trailing zeros dropped), without grouping; the currency, when given,
 * follows after a space, spelled as the source spells it ("GBp" stays pence).
 * Non-finite values are written as JavaScript prints them.
 *
 * @example
 * ```ts
 * formatPrice(308.8, "GBp");      // "308.80 GBp"
 * formatPrice(1.0489877, "USD");  // "1.0489877 USD"
 * formatPrice(0.00001234);        // "0.00001234"
 * formatPrice(93412.58);          // "93412.58"
 * formatPrice(0.1 + 0.2);         // "0.30"
 * ```
 */
export function formatPrice(value: number, currency?: string): string {
  const text = Number.isFinite(value) ? _text(value) : String(value);
  return currency ? `${text} ${currency}` : text;
}

function _text(value: number): string {
  // -0 is not cached: a Map holds it and 0 as one key, and it is written "-0.00".
  if (value === 0) return _format(value).format(value);
  let text = _texts.get(value);
  if (text === undefined) {
    if (_texts.size >= _MAX_TEXTS) _texts.clear();
    text = _format(value).format(value);
    _texts.set(value, text);
  }
  return text;
}

function _format(value: number): Intl.NumberFormat {
  const decimals = Math.min(_MAX_DECIMALS, Math.max(2, _decimalsOf(value)));
  let format = _formats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat("en-US", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: false,
    });
    _formats.set(decimals, format);
  }
  return format;
}

/** Decimals that `value` rounded to 8 significant digits needs, trailing zeros dropped. */
function _decimalsOf(value: number): number {
  if (value === 0) return 0;
  const [mantissa = "", exponent = "0"] = Number(value.toPrecision(_SIGNIFICANT))
    .toExponential().split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}
