import assert from "node:assert/strict";
import {
  type CommandLedger,
  CommandService,
  type LedgerEntry,
  Outcome,
  RequestCache,
  RequestIdConflictError,
  type UserRepository,
  ValidationError,
} from "../../core/mod.ts";

/** A ledger that records what reached it; commands never get here when input is invalid. */
function recordingLedger(): CommandLedger & { entries: LedgerEntry[] } {
  const entries: LedgerEntry[] = [];
  return {
    entries,
    once(entry, _work) {
      entries.push(entry);
      return Promise.resolve({ outcome: Outcome.ok("done"), replayed: false });
    },
    purge: () => Promise.resolve(0),
  };
}

Deno.test("CommandService rejects invalid input before touching the ledger", async () => {
  const ledger = recordingLedger();
  const service = new CommandService({ ledger });
  const bad: [() => Promise<unknown>, RegExp][] = [
    [() => service.register({ email: "a@b.co", ticker: "AAPL" }), /request_id is required/],
    [
      () => service.register({ email: "a@b.co", ticker: "AAPL", requestId: "   " }),
      /request_id is required/,
    ],
    [
      () => service.register({ email: "a@b.co", ticker: "AAPL", requestId: "x".repeat(129) }),
      /request_id must be/,
    ],
    [
      () => service.register({ email: "nope", ticker: "AAPL", requestId: "r" }),
      /email "nope" is not valid/,
    ],
    [
      () => service.register({ email: "a@b.co", ticker: "A A", requestId: "r" }),
      /not a valid Yahoo Finance symbol/,
    ],
    [
      () => service.register({ email: "a@b.co", ticker: "AAPL", requestId: "r", highValue: -1 }),
      /high_value must be/,
    ],
    [
      () =>
        service.register({
          email: "a@b.co",
          ticker: "AAPL",
          requestId: "r",
          highValue: 1,
          lowValue: 2,
        }),
      /must be greater than low_value/,
    ],
    [() => service.login({ email: "", requestId: "r" }), /Cannot log in: email is required/],
    [() => service.update({ email: "a@b.co", requestId: "r" }), /nothing to change/],
    [
      () => service.update({ email: "a@b.co", requestId: "r", highValue: 5, clearHigh: true }),
      /not both/,
    ],
    [
      () => service.update({ email: "a@b.co", requestId: "r", lowValue: 5, clearLow: true }),
      /not both/,
    ],
    [() => service.update({ email: "a@b.co", requestId: "r", ticker: "$$" }), /ticker/],
    [() => service.delete({ email: "a@b.co" }), /Cannot delete user: request_id is required/],
  ];
  for (const [call, message] of bad) {
    await assert.rejects(
      call,
      (err: unknown) => err instanceof ValidationError && message.test(err.message),
      String(message),
    );
  }
  assert.equal(ledger.entries.length, 0);
});

Deno.test("CommandService answers a repeated request_id from its cache without the ledger", async () => {
  const ledger = recordingLedger();
  const service = new CommandService({
    ledger,
    cache: new RequestCache({ maxEntries: 10, ttlMs: 60_000 }),
  });
  const input = { email: "a@b.co", ticker: "AAPL", requestId: "r1", highValue: 10 };
  const first = await service.register(input);
  const second = await service.register({ ...input, ticker: "aapl" });
  assert.equal(first.replayed, false);
  assert.equal(second.replayed, true);
  assert.deepEqual(second.outcome, first.outcome);
  assert.equal(ledger.entries.length, 1);
  await assert.rejects(() => service.register({ ...input, highValue: 11 }), RequestIdConflictError);
  await assert.rejects(
    () => service.delete({ email: "a@b.co", requestId: "r1" }),
    /already used for a different request/,
  );
});

Deno.test("CommandService asks the ledger again once the cached answer's TTL has passed", async () => {
  const ledger = recordingLedger();
  let now = 1;
  const service = new CommandService({
    ledger,
    cache: new RequestCache({ ttlMs: 1_000, now: () => now }),
  });
  const input = { email: "a@b.co", ticker: "AAPL", requestId: "r1" };
  await service.register(input);
  now = 1_000;
  await service.register(input);
  assert.equal(ledger.entries.length, 1, "answered from the cache within the TTL");
  now = 1_002;
  await service.register(input);
  assert.equal(ledger.entries.length, 2, "the ledger (MySQL) answers after the TTL");
});

Deno.test("CommandService.update() merges the band with the stored one and checks high > low", async () => {
  const stored = { email: "a@b.co", ticker: "AAPL", thresholds: { high: 200, low: 100 } } as never;
  let updated: unknown;
  const users: UserRepository = {
    findForUpdate: () => Promise.resolve(stored),
    insert: () => Promise.resolve("inserted"),
    update: (_b, a) => {
      updated = a;
      return Promise.resolve();
    },
    delete: () => Promise.resolve(true),
    queueConfirmation: () => Promise.resolve(),
    changeEmail: () => Promise.resolve(),
  };
  const ledger: CommandLedger = {
    once: async (_e, work) => ({ outcome: await work(users), replayed: false }),
    purge: () => Promise.resolve(0),
  };
  const service = new CommandService({ ledger });
  await service.update({ email: "a@b.co", requestId: "u1", lowValue: 150 });
  assert.deepEqual(updated, {
    email: "a@b.co",
    ticker: "AAPL",
    thresholds: { high: 200, low: 150 },
  });
  await service.update({ email: "a@b.co", requestId: "u2", clearHigh: true, ticker: "msft" });
  assert.deepEqual(updated, {
    email: "a@b.co",
    ticker: "MSFT",
    thresholds: { high: null, low: 100 },
  });
  await assert.rejects(
    () => service.update({ email: "a@b.co", requestId: "u3", lowValue: 250 }),
    /high_value \(200\) must be greater than low_value \(250\)/,
  );
});
