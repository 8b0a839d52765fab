import assert from "node:assert/strict";
import { MessageHandlingError, retry, type RetryEvent } from "../../core/mod.ts";

/**
 * A fake clock and a sleep that advances it instead of sleeping; `waits` records each wait.
 * Like the real sleep, it rejects with the signal's reason when the signal has aborted.
 */
function fakeTime(): {
  waits: number[];
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
} {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

/** Work that throws `errors` one per attempt, then resolves with "done". */
function failing(...errors: unknown[]): { work: (n: number) => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    work: (n) => {
      calls.push(n);
      return n <= errors.length ? Promise.reject(errors[n - 1]) : Promise.resolve("done");
    },
  };
}

Deno.test("retry() retries thrown errors and resolves with the first success", async () => {
  const { waits, now, sleep } = fakeTime();
  const { work, calls } = failing(new Error("a"), new Error("b"));
  const events: RetryEvent[] = [];
  const result = await retry(work, { now, sleep, onRetry: (e) => events.push(e) });
  assert.equal(result, "done");
  assert.deepEqual(calls, [1, 2, 3]);
  assert.equal(waits.length, 2);
  assert.deepEqual(events.map((e) => `${e.attempt} ${(e.error as Error).message}`), ["1 a", "2 b"]);
  assert.deepEqual(events.map((e) => e.waitMs), waits);
});

Deno.test("retry() without bounds keeps retrying (until the work succeeds)", async () => {
  const { now, sleep } = fakeTime();
  const { work, calls } = failing(...Array.from({ length: 60 }, (_, i) => new Error(`e${i}`)));
  assert.equal(await retry(work, { now, sleep }), "done");
  assert.equal(calls.length, 61);
});

Deno.test("retry() makes at most maxAttempts attempts and rejects with the last error", async () => {
  const { waits, now, sleep } = fakeTime();
  const { work, calls } = failing(...[1, 2, 3, 4, 5].map((n) => new Error(`down ${n}`)));
  await assert.rejects(() => retry(work, { maxAttempts: 3, now, sleep }), /^Error: down 3$/);
  assert.deepEqual(calls, [1, 2, 3]);
  assert.equal(waits.length, 2);
});

Deno.test("retry() does not retry an error marked retriable: false", async () => {
  const { waits, now, sleep } = fakeTime();
  const permanent = new MessageHandlingError("Cannot notify: unknown template", {
    retriable: false,
  });
  const { work, calls } = failing(new Error("transient"), permanent);
  await assert.rejects(() => retry(work, { now, sleep }), MessageHandlingError);
  assert.deepEqual(calls, [1, 2]);
  assert.equal(waits.length, 1);
  // A plain object with the flag counts too.
  const flagged = failing({ retriable: false, message: "no" });
  await assert.rejects(() => retry(flagged.work, { now, sleep }), { message: "no" });
  assert.deepEqual(flagged.calls, [1]);
});

Deno.test("retry() retries only what the caller's predicate accepts", async () => {
  const { now, sleep } = fakeTime();
  class Busy extends Error {}
  const { work, calls } = failing(new Busy("busy"), new TypeError("bug"));
  await assert.rejects(
    () => retry(work, { retriable: (e) => e instanceof Busy, now, sleep }),
    TypeError,
  );
  assert.deepEqual(calls, [1, 2]);
  // The predicate also overrides the flag: here everything is retried.
  const flagged = failing({ retriable: false });
  assert.equal(await retry(flagged.work, { retriable: () => true, now, sleep }), "done");
});

Deno.test("retry() gives up at the deadline, its last wait cut short to end there", async () => {
  const { waits, now, sleep } = fakeTime();
  const { work, calls } = failing(...[1, 2, 3, 4].map((n) => new Error(`down ${n}`)));
  await assert.rejects(
    () => retry(work, { timeoutMs: 1_000, baseMs: 400, random: () => 0.999, now, sleep }),
    /down 3/,
  );
  // 399.6 ms, then min(799.2, 1000 - 399.6): the third attempt starts at the deadline.
  assert.deepEqual(calls, [1, 2, 3]);
  assert.deepEqual(waits.map((w) => Math.round(w * 10) / 10), [399.6, 600.4]);
  assert.equal(now(), 1_000);
});

Deno.test("retry() waits a full-jitter exponential backoff bounded by the cap", async () => {
  const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
  const waitsWith = async (random: () => number) => {
    const { waits, now, sleep } = fakeTime();
    const errors = ceilings.map((_, i) => new Error(`e${i}`));
    await retry(failing(...errors).work, { baseMs: 100, capMs: 1_000, random, now, sleep });
    assert.equal(waits.length, ceilings.length);
    return waits;
  };
  assert.deepEqual(await waitsWith(() => 0), ceilings.map(() => 0));
  const highest = await waitsWith(() => 0.999_999);
  highest.forEach((w, i) => assert.ok(w < ceilings[i]! && w > ceilings[i]! * 0.99, `${i}: ${w}`));
  const drawn = await waitsWith(Math.random);
  drawn.forEach((w, i) => assert.ok(w >= 0 && w < ceilings[i]!, `wait ${i}: ${w}`));
});

Deno.test("retry() stops waiting at once when the signal aborts, with its reason", async () => {
  const stop = new AbortController();
  const reason = new Error("received SIGTERM");
  const { work, calls } = failing(new Error("down"), new Error("down"));
  const started = performance.now();
  // The real sleep, with a first wait of about a minute.
  const retrying = retry(work, {
    baseMs: 60_000,
    random: () => 0.999,
    signal: stop.signal,
    onRetry: () => setTimeout(() => stop.abort(reason), 20),
  });
  await assert.rejects(() => retrying, (err) => err === reason);
  assert.ok(performance.now() - started < 2_000, "the wait was cut short");
  assert.deepEqual(calls, [1]);
});

Deno.test("retry() starts no attempt once the signal has aborted", async () => {
  const stop = new AbortController();
  stop.abort(new Error("stopping"));
  const { work, calls } = failing();
  await assert.rejects(() => retry(work, { signal: stop.signal }), /stopping/);
  assert.deepEqual(calls, []);
});

Deno.test("retry() rejects with the error of the wait itself", async () => {
  const { work, calls } = failing(new Error("down"));
  const sleep = () => Promise.reject(new Error("heartbeat failed"));
  await assert.rejects(() => retry(work, { sleep }), /heartbeat failed/);
  assert.deepEqual(calls, [1]);
});

Deno.test("retry() rejects bad bounds with a RangeError before any attempt", async () => {
  const { work, calls } = failing();
  for (
    const options of [
      { maxAttempts: 0 },
      { maxAttempts: -1 },
      { maxAttempts: 1.5 },
      { maxAttempts: NaN },
      { timeoutMs: -1 },
      { baseMs: NaN },
      { capMs: -5 },
    ]
  ) {
    await assert.rejects(() => retry(work, options), RangeError, JSON.stringify(options));
  }
  assert.deepEqual(calls, []);
});
