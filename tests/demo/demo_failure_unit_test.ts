import assert from "node:assert/strict";
import { DemoFailure, lastErrorLine } from "../../scripts/demo/demo_failure.ts";
import { checkDeno } from "../../scripts/demo/preflight.ts";

const json = (level: string, msg: string, err?: string) =>
  JSON.stringify({ level, service: "x", msg, ...(err && { err: { name: "E", message: err } }) });

Deno.test("lastErrorLine() prefers the last error line, in words: message and cause", () => {
  const lines = [
    json("info", "mysql pool ready"),
    json("error", "start-up failed", "connect ECONNREFUSED 127.0.0.1:9092"),
    json("warn", "retrying"),
    json("info", "stopping"),
  ];
  assert.equal(lastErrorLine(lines), "start-up failed: connect ECONNREFUSED 127.0.0.1:9092");
});

Deno.test("lastErrorLine() falls back to the last warning when nothing logged an error", () => {
  const lines = [
    json("warn", "database unavailable at start, retrying", "database unavailable (A)"),
    json("warn", "database unavailable at start, retrying", "database unavailable (B)"),
  ];
  assert.equal(
    lastErrorLine(lines),
    "database unavailable at start, retrying: database unavailable (B)",
  );
});

Deno.test("lastErrorLine() takes plain error lines (configuration errors, uncaught errors)", () => {
  assert.equal(
    lastErrorLine([json("info", "a"), "notifier: configuration error: SMTP_URL: not a URL"]),
    "notifier: configuration error: SMTP_URL: not a URL",
  );
  assert.equal(
    lastErrorLine(["error: Uncaught (in promise) TypeError: boom", "    at foo (x.ts:1:1)"]),
    "Uncaught (in promise) TypeError: boom",
  );
  assert.equal(lastErrorLine([json("info", "all good"), "(node:1) SomeNotice"]), undefined);
});

Deno.test("DemoFailure.summary() names the service, its last error and its log", () => {
  const f = new DemoFailure("collector", "ran no price cycle within 20 s", {
    lastError: "cycle skipped: price source failed",
    logFile: ".demo/logs/collector.log",
  });
  assert.equal(f.name, "DemoFailure");
  assert.equal(
    f.summary(),
    "demo failed: collector ran no price cycle within 20 s\n" +
      "  last error: cycle skipped: price source failed\n" +
      "  full log:   .demo/logs/collector.log",
  );
});

Deno.test("checkDeno() fails on 2.9.x with the npx fix and passes 2.8.3", () => {
  assert.equal(checkDeno("2.8.3").ok, true);
  const r = checkDeno("2.9.6");
  assert.equal(r.ok, false);
  assert.match(r.line, /^deno: 2\.9\.6 .*npx -y deno@2\.8\.3 task demo/);
});
