import assert from "node:assert/strict";
import { retry } from "../../core/runtime/retry.ts";

/** A sleep that records the waits instead of sleeping. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

Deno.test("retry() stops at the first result that is not retriable", async () => {
  const { waits, sleep } = recordingSleep();
  const results = ["busy", "busy", "done", "busy"];
  const seen: number[] = [];
  const { result, attempts } = await retry((n) => {
    seen.push(n);
    return Promise.resolve(results[n - 1]!);
  }, { retries: 5, shouldRetry: (r) => r === "busy", sleep });
  assert.equal(result, "done");
  assert.equal(attempts, 3);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(waits.length, 2);
});

Deno.test("retry() makes retries + 1 attempts and returns the last result", async () => {
  const { waits, sleep } = recordingSleep();
  const retried: number[] = [];
  const { result, attempts } = await retry((n) => Promise.resolve(`busy ${n}`), {
    retries: 3,
    shouldRetry: () => true,
    sleep,
    onRetry: ({ attempt }) => retried.push(attempt),
  });
  assert.equal(result, "busy 4");
  assert.equal(attempts, 4);
  assert.deepEqual(retried, [1, 2, 3]);
  assert.equal(waits.length, 3);
});

Deno.test("retry() waits a full-jitter exponential backoff bounded by the cap", async () => {
  const { waits, sleep } = recordingSleep();
  await retry(() => Promise.resolve(0), {
    retries: 8,
    shouldRetry: () => true,
    baseMs: 100,
    capMs: 1_000,
    sleep,
  });
  const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
  waits.forEach((w, i) => assert.ok(w >= 0 && w < ceilings[i]!, `wait ${i}: ${w}`));
});

Deno.test("retry() with retries 0 makes one attempt; a negative count is a RangeError", async () => {
  const { attempts } = await retry(() => Promise.resolve(1), {
    retries: 0,
    shouldRetry: () => true,
  });
  assert.equal(attempts, 1);
  await assert.rejects(
    () => retry(() => Promise.resolve(1), { retries: -1, shouldRetry: () => true }),
    RangeError,
  );
});

Deno.test("retry() does not retry a thrown error", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retry(() => {
        calls++;
        return Promise.reject(new Error("boom"));
      }, { shouldRetry: () => true }),
    /boom/,
  );
  assert.equal(calls, 1);
});
