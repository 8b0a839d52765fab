import assert from "node:assert/strict";
import { peerHost, PeerRateLimiter } from "../../core/grpc/peer_rate_limiter.ts";

Deno.test("PeerRateLimiter.take() allows perMinute calls at once, then one per 60/perMinute s", () => {
  let now = 0;
  const limiter = new PeerRateLimiter({ perMinute: 3, now: () => now });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take("10.0.0.7"), { allowed: true });
  assert.deepEqual(limiter.take("10.0.0.7"), { allowed: false, retryAfterMs: 20_000 });
  assert.deepEqual(limiter.take("10.0.0.8"), { allowed: true }, "another peer has its own bucket");
  now = 15_000;
  assert.deepEqual(limiter.take("10.0.0.7"), { allowed: false, retryAfterMs: 5_000 });
  now = 20_000;
  assert.deepEqual(limiter.take("10.0.0.7"), { allowed: true });
  assert.equal(limiter.take("10.0.0.7").allowed, false);
  now = 10 * 60_000;
  for (let i = 0; i < 3; i++) assert.equal(limiter.take("10.0.0.7").allowed, true, "refilled");
  assert.equal(limiter.take("10.0.0.7").allowed, false, "never more than perMinute at once");
});

Deno.test("PeerRateLimiter rejects a perMinute below 1", () => {
  assert.throws(() => new PeerRateLimiter({ perMinute: 0 }), RangeError);
  assert.throws(() => new PeerRateLimiter({ perMinute: 1.5 }), /integer ≥ 1/);
});

Deno.test("peerHost() drops the port, the brackets and the scheme of a grpc-js peer", () => {
  assert.equal(peerHost("127.0.0.1:50123"), "127.0.0.1");
  assert.equal(peerHost("[::1]:50123"), "::1");
  assert.equal(peerHost("ipv6:[::ffff:10.0.0.7]:443"), "::ffff:10.0.0.7");
  assert.equal(peerHost("unknown"), "unknown");
});
