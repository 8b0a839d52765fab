import assert from "node:assert/strict";
import {
  CircuitBreaker,
  CircuitBreakerOpenError,
  type CircuitStateChange,
} from "../../core/runtime/circuit_breaker.ts";

/** A breaker on fake time, recording its state changes. */
function setup(options: { failureThreshold?: number; cooldownMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const changes: CircuitStateChange[] = [];
  const breaker = new CircuitBreaker({
    name: "test",
    now: () => clock.now,
    onStateChange: (c) => changes.push(c),
    ...options,
  });
  let calls = 0;
  const fail = () =>
    breaker.execute(() => {
      calls++;
      return Promise.reject(new Error("boom"));
    });
  const succeed = () =>
    breaker.execute(() => {
      calls++;
      return Promise.resolve("ok");
    });
  return { clock, changes, breaker, fail, succeed, calls: () => calls };
}

async function failTimes(fail: () => Promise<unknown>, n: number) {
  for (let i = 0; i < n; i++) await assert.rejects(fail(), /boom/);
}

Deno.test("CircuitBreaker stays closed below 5 consecutive failures", async () => {
  const { breaker, fail } = setup();
  await failTimes(fail, 4);
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.failures, 4);
});

Deno.test("CircuitBreaker opens after 5 consecutive failures", async () => {
  const { breaker, fail, changes, clock } = setup();
  await failTimes(fail, 5);
  assert.equal(breaker.state, "open");
  assert.equal(changes.length, 1);
  const change = changes[0]!;
  assert.deepEqual([change.from, change.to, change.failures], ["closed", "open", 5]);
  assert.equal(change.retryAt?.getTime(), clock.now + 60_000);
  assert.match(String((change.error as Error).message), /boom/);
});

Deno.test("CircuitBreaker resets the failure count on a success", async () => {
  const { breaker, fail, succeed } = setup();
  await failTimes(fail, 4);
  assert.equal(await succeed(), "ok");
  await failTimes(fail, 4);
  assert.equal(breaker.state, "closed");
});

Deno.test("CircuitBreaker.execute() fails fast with CircuitBreakerOpenError while open", async () => {
  const { fail, succeed, calls, clock } = setup();
  await failTimes(fail, 5);
  const openedAt = clock.now;
  clock.now += 59_999;
  await assert.rejects(succeed(), (e) => {
    assert.ok(e instanceof CircuitBreakerOpenError);
    assert.equal(e.name, "CircuitBreakerOpenError");
    assert.equal(e.retryAt.getTime(), openedAt + 60_000);
    assert.match(e.message, /Circuit breaker "test" is open/);
    return true;
  });
  assert.equal(calls(), 5, "the function is not called while open");
});

Deno.test("CircuitBreaker turns half-open after the 60 s cool-down", async () => {
  const { breaker, fail, changes, clock } = setup();
  await failTimes(fail, 5);
  clock.now += 60_000;
  assert.equal(breaker.state, "half-open");
  assert.deepEqual(changes.map((c) => c.to), ["open", "half-open"]);
});

Deno.test("CircuitBreaker closes when the half-open trial succeeds", async () => {
  const { breaker, fail, succeed, changes, clock } = setup();
  await failTimes(fail, 5);
  clock.now += 60_000;
  assert.equal(await succeed(), "ok");
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.failures, 0);
  assert.deepEqual(changes.map((c) => `${c.from}->${c.to}`), [
    "closed->open",
    "open->half-open",
    "half-open->closed",
  ]);
  await failTimes(fail, 4);
  assert.equal(breaker.state, "closed", "a closed breaker again needs 5 failures");
});

Deno.test("CircuitBreaker reopens for another cool-down when the half-open trial fails", async () => {
  const { breaker, fail, succeed, changes, clock, calls } = setup();
  await failTimes(fail, 5);
  clock.now += 61_000;
  await failTimes(fail, 1);
  assert.equal(breaker.state, "open");
  const reopen = changes.at(-1)!;
  assert.deepEqual([reopen.from, reopen.to], ["half-open", "open"]);
  assert.equal(reopen.retryAt?.getTime(), clock.now + 60_000);
  clock.now += 30_000;
  await assert.rejects(succeed(), CircuitBreakerOpenError);
  assert.equal(calls(), 6);
  clock.now += 30_000;
  assert.equal(await succeed(), "ok");
  assert.equal(breaker.state, "closed");
});

Deno.test("CircuitBreaker lets only one trial call through while half-open", async () => {
  const { breaker, fail, clock } = setup();
  await failTimes(fail, 5);
  clock.now += 60_000;
  let release!: (v: string) => void;
  const trial = breaker.execute(() => new Promise<string>((r) => (release = r)));
  await assert.rejects(breaker.execute(() => "second"), CircuitBreakerOpenError);
  release("first");
  assert.equal(await trial, "first");
  assert.equal(await breaker.execute(() => "third"), "third");
});

Deno.test("CircuitBreaker stays open when a call started before it opened succeeds late", async () => {
  const { breaker, fail } = setup();
  let release!: (v: string) => void;
  const slow = breaker.execute(() => new Promise<string>((r) => (release = r)));
  await failTimes(fail, 5);
  release("late");
  assert.equal(await slow, "late");
  assert.equal(breaker.state, "open");
});

Deno.test("CircuitBreaker honours custom failureThreshold and cooldownMs", async () => {
  const { breaker, fail, clock } = setup({ failureThreshold: 2, cooldownMs: 5_000 });
  await failTimes(fail, 2);
  assert.equal(breaker.state, "open");
  clock.now += 5_000;
  assert.equal(breaker.state, "half-open");
});

Deno.test("CircuitBreaker counts a synchronous throw as a failure", async () => {
  const { breaker } = setup({ failureThreshold: 1 });
  await assert.rejects(
    breaker.execute(() => {
      throw new TypeError("sync");
    }),
    TypeError,
  );
  assert.equal(breaker.state, "open");
});

Deno.test("CircuitBreaker rejects invalid options", () => {
  assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), RangeError);
  assert.throws(() => new CircuitBreaker({ failureThreshold: 1.5 }), /failureThreshold/);
  assert.throws(() => new CircuitBreaker({ cooldownMs: -1 }), /cooldownMs/);
});
