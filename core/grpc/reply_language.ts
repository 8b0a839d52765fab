import type * as grpc from "@grpc/grpc-js";
import { isLanguage, type Language } from "../domain/language.ts";

/**
 * The language of a call's reply: the best supported one of its `accept-language` metadata
 * (HTTP syntax: `it-IT,it;q=0.9,en;q=0.5`; a region is ignored, `q=0` refuses, ties keep their
 * order), else `fallback` (the server's RESPONSE_LANGUAGE).
 *
 * @example
 * ```ts
 * languageOf("fr;q=1, it-CH;q=0.8", "en"); // "it"
 * ```
 */
export function languageOf(acceptLanguage: string | undefined, fallback: Language): Language {
  if (!acceptLanguage) return fallback;
  let best: { language: Language; q: number } | undefined;
  for (const part of acceptLanguage.split(",")) {
    const [tag = "", ...params] = part.trim().split(";");
    const primary = tag.trim().toLowerCase().split("-")[0] ?? "";
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!isLanguage(primary) || !(q > 0) || q > 1) continue;
    if (!best || q > best.q) best = { language: primary, q };
  }
  return best?.language ?? fallback;
}

/** The reply language of a gRPC call, from its `accept-language` metadata. */
export function callLanguage(metadata: grpc.Metadata, fallback: Language): Language {
  const values = metadata.get("accept-language").map(String);
  return languageOf(values.length > 0 ? values.join(",") : undefined, fallback);
}
