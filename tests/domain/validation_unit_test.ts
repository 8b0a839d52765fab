import assert from "node:assert/strict";
import {
  ConfigError,
  EnvReader,
  loadCommandServerConfig,
  loadQueryServerConfig,
  parseEmail,
  parseThresholds,
  parseTicker,
  ValidationError,
} from "../../core/mod.ts";

Deno.test("parseEmail() trims and lower-cases a valid address", () => {
  assert.equal(
    parseEmail("  Ada.Lovelace@Example.COM ", "register user"),
    "ada.lovelace@example.com",
  );
});

Deno.test("parseEmail() rejects empty, malformed and over-long addresses with the action in the message", () => {
  const cases: [string | undefined, RegExp][] = [
    [undefined, /Cannot register user: email is required/],
    ["", /email is required/],
    ["not-an-email", /email "not-an-email" is not valid/],
    ["a@b", /is not valid/],
    ["a b@example.com", /is not valid/],
    ["Ada <ada@example.com>", /is not valid/],
    [`${"a".repeat(64)}@${"b".repeat(190)}.com`, /longer than 254 characters/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseEmail(raw, "register user"), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.field, "email");
      assert.match(err.message, message);
      return true;
    }, `input ${raw}`);
  }
});

Deno.test("parseTicker() accepts Yahoo symbols and upper-cases them", () => {
  for (
    const [raw, want] of [
      ["AAPL", "AAPL"],
      ["brk-b", "BRK-B"],
      ["eurusd=x", "EURUSD=X"],
      ["^GSPC", "^GSPC"],
      ["BTC-USD", "BTC-USD"],
      ["eni.mi", "ENI.MI"],
      ["GC=F", "GC=F"],
      [" msft ", "MSFT"],
    ]
  ) {
    assert.equal(parseTicker(raw, "register user"), want);
  }
});

Deno.test("parseTicker() rejects anything that is not a Yahoo symbol", () => {
  for (
    const raw of [
      "",
      "AA PL",
      "AAPL;DROP",
      "..",
      "-AAPL",
      "AAPL-",
      "A--B",
      "^",
      "$AAPL",
      "X".repeat(21),
      "ÄPL",
    ]
  ) {
    assert.throws(
      () => parseTicker(raw, "register user"),
      (err: unknown) =>
        err instanceof ValidationError && err.field === "ticker" && /ticker/.test(err.message),
      `input ${JSON.stringify(raw)}`,
    );
  }
});

Deno.test("parseThresholds() allows either bound or none, and requires high > low", () => {
  assert.deepEqual(parseThresholds(200, 150, "x"), { high: 200, low: 150 });
  assert.deepEqual(parseThresholds(200, undefined, "x"), { high: 200, low: null });
  assert.deepEqual(parseThresholds(null, 3.5, "x"), { high: null, low: 3.5 });
  assert.deepEqual(parseThresholds(undefined, undefined, "x"), { high: null, low: null });
  assert.throws(
    () => parseThresholds(100, 100, "update user"),
    /high_value \(100\) must be greater than low_value \(100\)/,
  );
  assert.throws(() => parseThresholds(90, 100, "x"), ValidationError);
});

Deno.test("parseThresholds() reads an explicit 0 as not set, as the original server did", () => {
  assert.deepEqual(parseThresholds(0, 0, "x"), { high: null, low: null });
  assert.deepEqual(parseThresholds(0, 150, "x"), { high: null, low: 150 });
  assert.deepEqual(parseThresholds(200, -0, "x"), { high: 200, low: null });
});

Deno.test("parseThresholds() rejects negative, NaN and infinite values", () => {
  for (const bad of [-1, -0.01, NaN, Infinity, -Infinity]) {
    assert.throws(
      () => parseThresholds(bad, undefined, "x"),
      /high_value must be a finite number greater than 0/,
    );
    assert.throws(
      () => parseThresholds(undefined, bad, "x"),
      /low_value must be a finite number greater than 0/,
    );
  }
});

Deno.test("EnvReader names the variable in every error", () => {
  const r = new EnvReader({ N: "12x", B: "maybe", U: "http://x", H: "nohost", L: "loud" });
  assert.throws(
    () => r.int("N", 1),
    (e: unknown) => e instanceof ConfigError && e.variable === "N" && /integer/.test(e.message),
  );
  assert.throws(() => r.bool("B", true), /B: must be true or false/);
  assert.throws(() => r.url("U", "", ["mysql:"]), /U: must use mysql:/);
  assert.throws(() => r.hostPort("H", ""), /H: must be host:port/);
  assert.throws(() => r.oneOf("L", "info", ["info", "warn"]), /L: must be one of info, warn/);
  assert.equal(r.int("MISSING", 7), 7);
  assert.deepEqual(new EnvReader({ K: "a:1, b:2" }).hostPortList("K", ""), ["a:1", "b:2"]);
});

Deno.test("loadCommandServerConfig() has the documented defaults", () => {
  const c = loadCommandServerConfig({});
  assert.equal(c.grpcAddr, "0.0.0.0:50051");
  assert.equal(c.mysqlUrl, "mysql://root@127.0.0.1:3306/tickerwatch");
  assert.equal(c.requestRetentionMs, 86_400_000);
  assert.equal(c.requestCacheSize, 10_000);
  assert.equal(c.requestCacheTtlMs, 600_000);
  assert.equal(loadQueryServerConfig({}).grpcAddr, "0.0.0.0:50052");
});

Deno.test("loadCommandServerConfig() rejects a bad MYSQL_URL without echoing its password", () => {
  assert.throws(
    () => loadCommandServerConfig({ MYSQL_URL: "mysql://u:s3cret@db:3306/bad-name!" }),
    (e: unknown) =>
      e instanceof ConfigError && e.variable === "MYSQL_URL" && !e.message.includes("s3cret"),
  );
  assert.throws(
    () => loadCommandServerConfig({ REQUEST_RETENTION_S: "0" }),
    /REQUEST_RETENTION_S: must be ≥ 1/,
  );
});
