/** The languages reply texts are written in; the first is the default. */
export const LANGUAGES = ["en", "it"] as const;

/** A language of the reply texts: `en` (the default) or `it`. */
export type Language = typeof LANGUAGES[number];

/** The language replies use when nobody asked for another. */
export const DEFAULT_LANGUAGE: Language = "en";

/** True when `raw` names a supported language (`en`, `it`), exactly. */
export function isLanguage(raw: string): raw is Language {
  return (LANGUAGES as readonly string[]).includes(raw);
}
