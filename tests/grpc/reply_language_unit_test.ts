import assert from "node:assert/strict";
import { languageOf } from "../../core/grpc/reply_language.ts";
import { COMMAND_REPLY_TEXTS, LANGUAGES } from "../../core/mod.ts";

Deno.test("languageOf() picks the best supported accept-language, else the fallback", () => {
  assert.equal(languageOf(undefined, "en"), "en");
  assert.equal(languageOf("", "it"), "it");
  assert.equal(languageOf("it", "en"), "it");
  assert.equal(languageOf("it-IT,it;q=0.9,en;q=0.8", "en"), "it");
  assert.equal(languageOf("fr;q=1, it-CH;q=0.8", "en"), "it");
  assert.equal(languageOf("en;q=0.4, IT;q=0.6", "en"), "it");
  assert.equal(languageOf("it;q=0, fr", "en"), "en", "q=0 refuses");
  assert.equal(languageOf("de, fr", "it"), "it");
  assert.equal(languageOf("en, it", "it"), "en", "ties keep their order");
});

Deno.test("COMMAND_REPLY_TEXTS: every language words every reply; success ones say success", () => {
  for (const language of LANGUAGES) {
    const t = COMMAND_REPLY_TEXTS[language];
    const email = "ada@example.com" as never;
    for (const ok of [t.logged_in, t.updated, t.deleted]) {
      assert.match(ok({ key: "updated", email } as never), /success/i, language);
    }
    assert.match(t.registered({ key: "registered", email, ticker: "AAPL" as never }), /success/);
  }
  assert.match(
    COMMAND_REPLY_TEXTS.it.deleted({ key: "deleted", email: "a@b.co" as never }),
    /cancellato/,
  );
});
