import assert from "node:assert/strict";
import { clusterScript, connectAdmin, waitHealthy } from "../_kafka.ts";
import { startPipeline } from "./_pipeline.ts";

Deno.test(
  "pipeline: SIGKILL of one broker during a cycle still gives exactly one mail per crossing",
  async () => {
    const admin = await connectAdmin();
    try {
      await using p = await startPipeline({ scripts: { AAPL: [150, 210, 215, 90, 95] } });
      await p.subscribe("ada@example.com", "AAPL", 200, 100);
      await p.subscribe("bob@example.com", "AAPL", 205);
      assert.equal(await p.cycle(), 0);

      // Kill broker 2 while the crossing cycle is being collected, published and evaluated.
      // Failover (fencing, new leaders, maybe a new group coordinator) can take a while on 2 cores.
      const crossing = p.cycle(150_000);
      await new Promise((r) => setTimeout(r, 20));
      await clusterScript(["kill", "2"]);
      assert.equal(await crossing, 2);
      assert.equal(await p.cycle(150_000), 0); // 215: still above
      assert.equal(await p.cycle(150_000), 1); // 90: ada crosses LOW (HIGHs re-arm)
      await p.settled(150_000);
      const got = p.smtp.messages.map((m) => `${m.to[0]}`).sort();
      assert.deepEqual(got, ["ada@example.com", "ada@example.com", "bob@example.com"]);

      await clusterScript(["start-node", "2"]);
      assert.equal(await p.cycle(150_000), 0); // 95: still below, no new mail after the broker is back
      await p.settled(150_000);
      assert.equal(p.smtp.messages.length, 3);
    } finally {
      await clusterScript(["start-node", "2"]).catch(() => {});
      await waitHealthy(admin);
      await admin.disconnect();
    }
  },
);
