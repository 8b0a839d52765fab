import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, MetricsRegistry } from "../../core/mod.ts";

Deno.test("MetricsRegistry.render() writes a labelled counter with escaped values and help", () => {
  const registry = new MetricsRegistry();
  const calls = registry.counter({
    name: "calls_total",
    help: 'Calls by "method",\nwith a back\\slash.',
    labelNames: ["method", "code"],
  });
  calls.inc({ method: "LoginUser", code: "OK" });
  calls.inc({ method: "LoginUser", code: "OK" }, 2);
  calls.inc({ method: 'a"b\\c\nd', code: 5 });
  assert.equal(
    registry.render(),
    '# HELP calls_total Calls by "method",\\nwith a back\\\\slash.\n' +
      "# TYPE calls_total counter\n" +
      'calls_total{method="LoginUser",code="OK"} 3\n' +
      'calls_total{method="a\\"b\\\\c\\nd",code="5"} 1\n',
  );
});

Deno.test("MetricsRegistry.render() writes an unlabelled counter and gauge as 0 before use", () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "sent_total", help: "Sent." });
  const state = registry.gauge({ name: "breaker_state", help: "State." });
  assert.equal(
    registry.render(),
    "# HELP sent_total Sent.\n# TYPE sent_total counter\nsent_total 0\n" +
      "# HELP breaker_state State.\n# TYPE breaker_state gauge\nbreaker_state 0\n",
  );
  state.set(2);
  assert.match(registry.render(), /\nbreaker_state 2\n$/);
});

Deno.test("MetricsRegistry.render() writes a labelled gauge; set, inc and reset", () => {
  const registry = new MetricsRegistry();
  const lag = registry.gauge({ name: "lag", help: "Lag.", labelNames: ["topic", "partition"] });
  lag.set({ topic: "t", partition: 0 }, 5);
  lag.set({ topic: "t", partition: 1 }, 1.5);
  lag.inc({ topic: "t", partition: 1 }, -1);
  assert.equal(
    registry.render(),
    "# HELP lag Lag.\n# TYPE lag gauge\n" +
      'lag{topic="t",partition="0"} 5\n' +
      'lag{topic="t",partition="1"} 0.5\n',
  );
  lag.reset();
  assert.equal(registry.render(), "# HELP lag Lag.\n# TYPE lag gauge\n");
});

Deno.test("MetricsRegistry.render() writes a labelled histogram: cumulative buckets, +Inf, sum, count", () => {
  const registry = new MetricsRegistry();
  const latency = registry.histogram({
    name: "rpc_seconds",
    help: "Latency.",
    labelNames: ["method"],
    buckets: [0.01, 0.1, 1],
  });
  latency.observe({ method: "Get" }, 0.005);
  latency.observe({ method: "Get" }, 0.01);
  latency.observe({ method: "Get" }, 0.5);
  latency.observe({ method: "Get" }, 3);
  latency.observe({ method: 'x"y' }, 0.05);
  assert.equal(
    registry.render(),
    "# HELP rpc_seconds Latency.\n# TYPE rpc_seconds histogram\n" +
      'rpc_seconds_bucket{method="Get",le="0.01"} 2\n' +
      'rpc_seconds_bucket{method="Get",le="0.1"} 2\n' +
      'rpc_seconds_bucket{method="Get",le="1"} 3\n' +
      'rpc_seconds_bucket{method="Get",le="+Inf"} 4\n' +
      'rpc_seconds_sum{method="Get"} 3.515\n' +
      'rpc_seconds_count{method="Get"} 4\n' +
      'rpc_seconds_bucket{method="x\\"y",le="0.01"} 0\n' +
      'rpc_seconds_bucket{method="x\\"y",le="0.1"} 1\n' +
      'rpc_seconds_bucket{method="x\\"y",le="1"} 1\n' +
      'rpc_seconds_bucket{method="x\\"y",le="+Inf"} 1\n' +
      'rpc_seconds_sum{method="x\\"y"} 0.05\n' +
      'rpc_seconds_count{method="x\\"y"} 1\n',
  );
  assert.deepEqual(latency.get({ method: "Get" }), { count: 4, sum: 3.515 });
});

Deno.test("MetricsRegistry.render() writes an unlabelled histogram with zero counts before use", () => {
  const registry = new MetricsRegistry();
  registry.histogram({ name: "eval_seconds", help: "Eval.", buckets: [1] });
  assert.equal(
    registry.render(),
    "# HELP eval_seconds Eval.\n# TYPE eval_seconds histogram\n" +
      'eval_seconds_bucket{le="1"} 0\neval_seconds_bucket{le="+Inf"} 0\n' +
      "eval_seconds_sum 0\neval_seconds_count 0\n",
  );
});

Deno.test("MetricsRegistry.onCollect() runs before every render", () => {
  const registry = new MetricsRegistry();
  const g = registry.gauge({ name: "reads", help: "Reads." });
  let n = 0;
  registry.onCollect(() => g.set(++n));
  registry.render();
  assert.match(registry.render(), /\nreads 2\n$/);
});

Deno.test("MetricsRegistry refuses invalid and duplicate names", () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "a_total", help: "A." });
  assert.throws(() => registry.gauge({ name: "a_total", help: "A." }), /already registered/);
  assert.throws(() => registry.counter({ name: "1bad", help: "B." }), TypeError);
  assert.throws(
    () => registry.counter({ name: "c_total", help: "C.", labelNames: ["__x"] }),
    /Invalid label name "__x"/,
  );
  assert.throws(
    () => registry.histogram({ name: "h", help: "H.", labelNames: ["le"] }),
    /cannot have a label named "le"/,
  );
  assert.throws(
    () => registry.histogram({ name: "h2", help: "H.", buckets: [1, 1] }),
    /increasing/,
  );
});

Deno.test("Counter.inc() refuses negative amounts and wrong labels", () => {
  const c = new Counter({ name: "x_total", help: "X.", labelNames: ["k"] });
  assert.throws(() => c.inc({ k: "a" }, -1), RangeError);
  assert.throws(() => c.inc({} as { k: string }), /needs label "k"/);
  assert.throws(() => c.inc({ k: "a", j: "b" } as { k: string }), /has no label "j"/);
  c.inc({ k: "a" });
  assert.equal(c.get({ k: "a" }), 1);
  assert.equal(new Gauge({ name: "g", help: "G." }).get(), 0);
  assert.equal(new Histogram({ name: "h", help: "H." }).get().count, 0);
});

Deno.test("Gauge and histogram values render +Inf, -Inf and NaN in the format's spelling", () => {
  const registry = new MetricsRegistry();
  const g = registry.gauge({ name: "g", help: "G.", labelNames: ["v"] });
  g.set({ v: "a" }, Infinity);
  g.set({ v: "b" }, -Infinity);
  g.set({ v: "c" }, NaN);
  assert.match(registry.render(), /g\{v="a"\} \+Inf\ng\{v="b"\} -Inf\ng\{v="c"\} NaN\n/);
});
