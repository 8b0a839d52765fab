import assert from "node:assert/strict";
import {
  MailCap,
  type MailCapState,
  type MailCapStore,
  renderAlertEmail,
  withHeldBackNote,
} from "../../core/mod.ts";

class MemoryStore implements MailCapStore {
  readonly rows = new Map<string, MailCapState>();
  get(email: string): Promise<MailCapState | undefined> {
    return Promise.resolve(this.rows.get(email));
  }
  put(email: string, state: MailCapState): Promise<void> {
    this.rows.set(email, state);
    return Promise.resolve();
  }
}

/** A cap on an in-memory store with a settable clock. */
function cap(maxPerHour: number) {
  const store = new MemoryStore();
  const clock = { now: new Date("2026-01-05T10:00:00.000Z") };
  return { store, clock, cap: new MailCap({ store, maxPerHour, now: () => clock.now }) };
}

/** Admits one alert to `email` and, when admitted, records it as sent. */
async function mailOne(c: MailCap, email: string) {
  const d = await c.admit(email);
  if (d.send) await c.sent(email, d);
  return d;
}

Deno.test("MailCap.admit() lets maxPerHour mails through per address, then holds back and counts", async () => {
  const { cap: c } = cap(3);
  const verdicts = [];
  for (let i = 0; i < 5; i++) verdicts.push(await mailOne(c, "ann@example.com"));
  assert.deepEqual(verdicts.map((d) => d.send), [true, true, true, false, false]);
  assert.deepEqual(verdicts.map((d) => d.heldBack), [0, 0, 0, 1, 2]);
  assert.equal((await mailOne(c, "bob@example.com")).send, true, "another address has its own cap");
});

Deno.test("MailCap.admit() opens a new hour and reports what was held back in its first mail", async () => {
  const { cap: c, clock, store } = cap(2);
  for (let i = 0; i < 9; i++) await mailOne(c, "ann@example.com");
  clock.now = new Date("2026-01-05T10:59:59.999Z");
  assert.equal((await c.admit("ann@example.com")).send, false, "still the same hour");
  clock.now = new Date("2026-01-05T11:00:00.000Z");
  const next = await mailOne(c, "ann@example.com");
  assert.deepEqual([next.send, next.heldBack], [true, 8]);
  assert.deepEqual(store.rows.get("ann@example.com"), {
    windowStart: new Date("2026-01-05T11:00:00.000Z"),
    sent: 1,
    heldBack: 0,
  });
  const after = await mailOne(c, "ann@example.com");
  assert.deepEqual(
    [after.send, after.heldBack],
    [true, 0],
    "reported once, then the count restarts",
  );
});

Deno.test("MailCap with maxPerHour 0 never holds back and never touches the store", async () => {
  const { cap: c, store } = cap(0);
  for (let i = 0; i < 50; i++) assert.equal((await mailOne(c, "ann@example.com")).send, true);
  assert.equal(store.rows.size, 0);
  assert.throws(() => new MailCap({ store, maxPerHour: -1 }), RangeError);
});

Deno.test("withHeldBackNote() tells the count in the subject, the text and the HTML", () => {
  const mail = renderAlertEmail({
    alertId: "a1",
    email: "ann@example.com",
    ticker: "AAPL",
    thresholdType: "HIGH",
    thresholdValue: 150,
    price: 151.2,
    at: new Date("2026-01-05T15:31:02.000Z"),
  });
  assert.equal(withHeldBackNote(mail, 0, 20), mail);
  const noted = withHeldBackNote(mail, 7, 20);
  assert.match(noted.subject, /\(and 7 more alerts held back\)$/);
  assert.match(noted.text, /And 7 more alerts held back: this address gets at most 20/);
  assert.match(noted.html, /And 7 more alerts held back[^<]*<\/p>\n<\/body>/);
  assert.match(withHeldBackNote(mail, 1, 20).subject, /\(and 1 more alert held back\)$/);
});

Deno.test("MailCap.prefetch() reads each address once and decides exactly as without it, its own writes kept current; a failed write is read again", async () => {
  const plain = cap(3);
  const primed = cap(3);
  let gets = 0;
  const get = primed.store.get.bind(primed.store);
  primed.store.get = (email) => (gets++, get(email));
  await primed.cap.prefetch(["ann@example.com", "bob@example.com", "ann@example.com"]);
  assert.equal(gets, 2);
  for (let i = 0; i < 6; i++) {
    for (const email of ["ann@example.com", "bob@example.com"]) {
      assert.deepEqual(await mailOne(primed.cap, email), await mailOne(plain.cap, email));
    }
  }
  assert.equal(gets, 2, "no read after the prefetch");
  assert.deepEqual(primed.store.rows, plain.store.rows);
  // A write that fails leaves the store unknown: the next decision reads it again.
  const put = primed.store.put.bind(primed.store);
  primed.store.put = () => Promise.reject(new Error("down"));
  await assert.rejects(primed.cap.admit("ann@example.com"), /down/);
  primed.store.put = put;
  primed.store.rows.set("ann@example.com", {
    ...primed.store.rows.get("ann@example.com")!,
    heldBack: 40,
  });
  assert.equal((await primed.cap.admit("ann@example.com")).heldBack, 41);
  assert.equal(gets, 3);
  primed.cap.forget(["bob@example.com"]);
  await primed.cap.admit("bob@example.com");
  assert.equal(gets, 4, "forgotten: read from the store");
});
