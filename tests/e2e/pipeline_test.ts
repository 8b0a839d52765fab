import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { parseMessage } from "../helpers/smtp_catcher.ts";
import { type Pipeline, startPipeline } from "./_pipeline.ts";

/** Waits until the notifier finished every alert so far, then checks that `n` mails came. */
async function expectMails(p: Pipeline, n: number): Promise<void> {
  await p.settled();
  assert.equal(p.smtp.messages.length, n, "one mail per alert, no extra mail");
}

Deno.test(
  "pipeline (edge): one mail per crossing, none while the price stays out, again after it returns",
  async () => {
    await using p = await startPipeline({
      scripts: {
        AAPL: [150, 210, 215, 220, 150, 205, 95],
        MSFT: [60, 60, 60, 60, 60, 60, 45],
      },
    });
    await p.subscribe("ada@example.com", "AAPL", 200, 100);
    await p.subscribe("bob@example.com", "MSFT", undefined, 50);

    assert.equal(await p.cycle(), 0); // 150: inside the band
    assert.equal(await p.cycle(), 1); // 210: crosses HIGH
    await expectMails(p, 1);
    const first = parseMessage(p.smtp.messages[0]!.raw);
    assert.deepEqual(p.smtp.messages[0]!.to, ["ada@example.com"]);
    assert.match(first.subject, /AAPL/);
    assert.match(first.text, /210/);
    assert.match(first.text, /200/);
    assert.match(first.text, /rose above/);
    assert.match(first.html, /AAPL/);

    assert.equal(await p.cycle(), 0); // 215: still above, no new alert
    assert.equal(await p.cycle(), 0); // 220
    assert.equal(await p.cycle(), 0); // 150: back inside, re-armed
    assert.equal(await p.cycle(), 1); // 205: crosses again
    await expectMails(p, 2);
    assert.equal(await p.cycle(), 2); // AAPL 95 crosses LOW, MSFT 45 crosses LOW
    await expectMails(p, 4);
    const lows = p.smtp.messages.slice(2).map((m) => ({
      to: m.to[0],
      text: parseMessage(m.raw).text,
    }));
    const bob = lows.find((m) => m.to === "bob@example.com");
    assert.ok(bob, "bob got his LOW alert");
    assert.match(bob.text, /fell below/);
    assert.match(bob.text, /45/);

    // The query side now serves what the collector stored.
    const latest = await p.query("GetLatestValue", { email: "ada@example.com" });
    assert.equal(latest.code, grpc.status.OK, latest.details);
    assert.equal(latest.response?.value, 95);
    const avg = await p.query("GetAverageValue", { email: "ada@example.com", count: 7 });
    assert.equal(avg.response?.values_count, 7);
    assert.equal(
      Number(avg.response?.average_value).toFixed(4),
      ((150 + 210 + 215 + 220 + 150 + 205 + 95) / 7).toFixed(4),
    );
  },
);

Deno.test(
  "pipeline (ALERT_MODE=level): a mail on every cycle while the price is out of the band",
  async () => {
    await using p = await startPipeline({
      scripts: { AAPL: [210, 215, 220, 150] },
      alertEnv: { ALERT_MODE: "level" },
    });
    await p.subscribe("ada@example.com", "AAPL", 200);
    assert.equal(await p.cycle(), 1);
    assert.equal(await p.cycle(), 1);
    assert.equal(await p.cycle(), 1);
    assert.equal(await p.cycle(), 0);
    await expectMails(p, 3);
  },
);

Deno.test(
  "pipeline: the collector's breaker opens on a failing source, skips cycles, and closes again",
  async () => {
    let failing = true;
    let calls = 0;
    let now = 1_000_000;
    const flaky = {
      name: "flaky",
      fetch: (tickers: readonly string[]) => {
        calls++;
        return failing ? Promise.reject(new Error("503 from the price source")) : Promise.resolve({
          quotes: tickers.map((ticker) => ({ ticker, price: 120, at: new Date() })),
          unknown: [],
        });
      },
    };
    await using p = await startPipeline({ source: flaky, clock: () => now });
    await p.subscribe("ada@example.com", "AAPL", 100);
    const skipped = [];
    for (let i = 0; i < 7; i++) skipped.push((await p.collector.runCycle()).skipped);
    assert.deepEqual(skipped, [...Array(5).fill("source failed"), "breaker open", "breaker open"]);
    assert.equal(calls, 5, "an open breaker does not call the source");
    assert.equal(p.breaker.state, "open");

    failing = false;
    now += 59_000;
    assert.equal((await p.collector.runCycle()).skipped, "breaker open", "still cooling down");
    now += 1_000;
    assert.equal(await p.cycle(), 1, "half-open trial succeeds: quotes stored, alert raised");
    assert.equal(p.breaker.state, "closed");
    await expectMails(p, 1);
  },
);
