/**
 * A fix of kafkajs 2.2.4 (pinned in deno.json): a broker connection's request queue re-arms a
 * 1 ms timer forever.
 *
 * `RequestQueue.checkPendingRequests` runs after every response and ends with
 * `scheduleCheckPendingRequests`, which arms a timer for `throttledUntil - Date.now()` ms. With no
 * client-side throttle (`throttledUntil` is -1) and nothing pending that delay is negative, so the
 * timer fires after 1 ms (Node's clamp; Deno prints "TimeoutNegativeWarning" once), calls
 * `checkPendingRequests`, which arms it again: every connection that ever got a response keeps a
 * timer firing about every millisecond until it is closed, busy or idle (3 % of the notifier's CPU
 * in its profile). Nothing needs it: a request that cannot go at once is queued with its own call
 * to `scheduleCheckPendingRequests`, and every response and request timeout checks the queue.
 *
 * The patch, applied once on import: with nothing pending, arm nothing; with requests pending,
 * the original (a check when the throttle ends, or every 10 ms while the in-flight limit holds
 * them back).
 */
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

interface _Queue {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const _proto = (RequestQueue as unknown as { prototype: _Queue }).prototype;
const _original = _proto.scheduleCheckPendingRequests;
const _PATCHED = Symbol.for("tickerwatch.kafkajs.requestQueueTimer");

if (typeof _original === "function" && !(_PATCHED in _original)) {
  const patched = function (this: _Queue): void {
    if (this.pending.length > 0) _original.call(this);
  };
  Object.defineProperty(patched, _PATCHED, { value: true });
  _proto.scheduleCheckPendingRequests = patched;
}

/** True when the kafkajs request queue fix is in place (for tests). */
export function requestQueueTimerFixed(): boolean {
  return _PATCHED in _proto.scheduleCheckPendingRequests;
}
