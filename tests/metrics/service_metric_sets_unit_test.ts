import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { register as globalRegistry, Registry } from "prom-client";
import { MailSendError, MessageHandlingError } from "../../core/mod.ts";
import { AlertSystemMetrics } from "../../core/alerts/alert_system_metrics.ts";
import { ClusterMetrics } from "../../core/kafka/cluster_metrics.ts";
import { CollectorMetrics } from "../../core/collector/collector_metrics.ts";
import { consumerLagGauge } from "../../core/kafka/consumer_lag.ts";
import { NotifierMetrics } from "../../core/notify/notifier_metrics.ts";
import { PrometheusGrpcMetrics } from "../../core/grpc/prometheus_grpc_metrics.ts";
import { registerProcessMetrics } from "../../core/metrics/process_metrics.ts";

/** The sample lines of `registry`'s exposition (no comments, no blank lines). */
async function lines(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

Deno.test("PrometheusGrpcMetrics counts server-side failures as errors, refusals only as requests", async () => {
  const registry = new Registry();
  const metrics = new PrometheusGrpcMetrics(registry);
  metrics.observe("GetLatestValue", grpc.status.NOT_FOUND, 3);
  metrics.observe("GetLatestValue", grpc.status.UNAVAILABLE, 2000);
  const out = await lines(registry);
  assert.ok(
    out.includes('tickerwatch_grpc_requests_total{method="GetLatestValue",code="NOT_FOUND"} 1'),
  );
  assert.ok(
    out.includes('tickerwatch_grpc_errors_total{method="GetLatestValue",code="UNAVAILABLE"} 1'),
  );
  assert.ok(
    !out.some((l) => l.startsWith("tickerwatch_grpc_errors_total") && l.includes("NOT_FOUND")),
  );
  assert.ok(
    out.includes(
      'tickerwatch_grpc_request_duration_seconds_bucket{le="0.005",method="GetLatestValue"} 1',
    ),
  );
  assert.ok(
    out.includes('tickerwatch_grpc_request_duration_seconds_sum{method="GetLatestValue"} 2.003'),
  );
  assert.ok(
    out.includes('tickerwatch_grpc_request_duration_seconds_count{method="GetLatestValue"} 2'),
  );
});

Deno.test("PrometheusGrpcMetrics times calls in 1 ms to 10 s buckets, cumulative up to +Inf", async () => {
  const registry = new Registry();
  new PrometheusGrpcMetrics(registry).observe("LoginUser", grpc.status.OK, 30);
  const buckets = (await lines(registry))
    .filter((l) => l.startsWith("tickerwatch_grpc_request_duration_seconds_bucket"));
  const expected = [
    ["0.001", 0],
    ["0.0025", 0],
    ["0.005", 0],
    ["0.01", 0],
    ["0.025", 0],
    ["0.05", 1],
    ["0.1", 1],
    ["0.25", 1],
    ["0.5", 1],
    ["1", 1],
    ["2.5", 1],
    ["5", 1],
    ["10", 1],
    ["+Inf", 1],
  ];
  assert.deepEqual(
    buckets,
    expected.map(([le, n]) =>
      `tickerwatch_grpc_request_duration_seconds_bucket{le="${le}",method="LoginUser"} ${n}`
    ),
  );
});

Deno.test("PrometheusGrpcMetrics escapes backslash, double quote and line feed in label values", async () => {
  const registry = new Registry();
  new PrometheusGrpcMetrics(registry).observe('a"b\\c\nd', grpc.status.OK, 1);
  assert.ok(
    (await lines(registry)).includes(
      'tickerwatch_grpc_requests_total{method="a\\"b\\\\c\\nd",code="OK"} 1',
    ),
  );
});

Deno.test("CollectorMetrics records results, quotes, unknown symbols, failures and the breaker", async () => {
  const registry = new Registry();
  const metrics = new CollectorMetrics(registry);
  metrics.recordCycle({ cycleId: "a", tickers: 3, quotes: 2, unknown: ["ZZZZ"] });
  metrics.recordCycle({
    cycleId: "b",
    tickers: 3,
    quotes: 0,
    unknown: [],
    skipped: "breaker open",
  });
  metrics.recordFailure();
  metrics.setBreakerState("open");
  const out = await lines(registry);
  for (
    const expected of [
      'tickerwatch_collector_cycles_total{result="ok"} 1',
      'tickerwatch_collector_cycles_total{result="breaker_open"} 1',
      "tickerwatch_collector_cycle_failures_total 1",
      "tickerwatch_collector_quotes_stored_total 2",
      "tickerwatch_collector_unknown_symbols_total 1",
      "tickerwatch_collector_breaker_state 2",
    ]
  ) assert.ok(out.includes(expected), `${expected} in\n${out.join("\n")}`);
  metrics.setBreakerState("half-open");
  assert.ok((await lines(registry)).includes("tickerwatch_collector_breaker_state 1"));
});

Deno.test("AlertSystemMetrics records updates, alerts and the evaluation time", async () => {
  const registry = new Registry();
  const metrics = new AlertSystemMetrics(registry);
  metrics.recordUpdate({
    cycleId: "c",
    quotes: 4,
    alerts: 3,
    transitions: 3,
    millis: 20,
    evaluateMillis: 5,
    publishMillis: 10,
    storeMillis: 5,
  });
  metrics.recordFailure();
  const out = await lines(registry);
  assert.ok(out.includes("tickerwatch_alert_system_updates_total 1"));
  assert.ok(out.includes("tickerwatch_alert_system_alerts_published_total 3"));
  assert.ok(out.includes("tickerwatch_alert_system_update_failures_total 1"));
  assert.ok(out.includes('tickerwatch_alert_system_evaluation_seconds_bucket{le="0.025"} 1'));
  assert.ok(out.includes("tickerwatch_alert_system_evaluation_seconds_count 1"));
});

Deno.test("AlertSystemMetrics exposes HELP and TYPE, zeros before use and 5 ms to 30 s buckets", async () => {
  const registry = new Registry();
  new AlertSystemMetrics(registry);
  const bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"];
  const evaluation = "tickerwatch_alert_system_evaluation_seconds";
  assert.equal(
    await registry.metrics(),
    "# HELP tickerwatch_alert_system_updates_total Price updates processed (evaluated, alerts " +
      "acknowledged, state stored).\n" +
      "# TYPE tickerwatch_alert_system_updates_total counter\n" +
      "tickerwatch_alert_system_updates_total 0\n\n" +
      "# HELP tickerwatch_alert_system_alerts_published_total Alerts published on the notifier " +
      "topic.\n" +
      "# TYPE tickerwatch_alert_system_alerts_published_total counter\n" +
      "tickerwatch_alert_system_alerts_published_total 0\n\n" +
      "# HELP tickerwatch_alert_system_update_failures_total Attempts to process an update that " +
      "failed (the update is retried).\n" +
      "# TYPE tickerwatch_alert_system_update_failures_total counter\n" +
      "tickerwatch_alert_system_update_failures_total 0\n\n" +
      `# HELP ${evaluation} Time to process one update: evaluate thresholds, publish alerts, ` +
      "store the state.\n" +
      `# TYPE ${evaluation} histogram\n` +
      [...bounds, "30", "+Inf"].map((le) => `${evaluation}_bucket{le="${le}"} 0\n`).join("") +
      `${evaluation}_sum 0\n${evaluation}_count 0\n`,
  );
});

Deno.test("NotifierMetrics records sent, skipped by reason and failures by kind", async () => {
  const registry = new Registry();
  const metrics = new NotifierMetrics(registry);
  metrics.recordOutcome("sent");
  metrics.recordOutcome("already-sent");
  metrics.recordOutcome("repeat");
  metrics.recordOutcome("repeat");
  metrics.recordFailure(new MailSendError("server down", { retriable: true }));
  metrics.recordFailure(new MessageHandlingError("rejected", { retriable: false }));
  const out = await lines(registry);
  for (
    const expected of [
      "tickerwatch_notifier_emails_sent_total 1",
      'tickerwatch_notifier_emails_skipped_total{reason="duplicate"} 1',
      'tickerwatch_notifier_emails_skipped_total{reason="repeat"} 2',
      'tickerwatch_notifier_failures_total{kind="retriable"} 1',
      'tickerwatch_notifier_failures_total{kind="rejected"} 1',
    ]
  ) assert.ok(out.includes(expected), `${expected} in\n${out.join("\n")}`);
});

Deno.test("ClusterMetrics sets brokers up, under-replicated and offline partitions", async () => {
  const registry = new Registry();
  const metrics = new ClusterMetrics(registry);
  metrics.record({
    clusterId: "x",
    brokers: [{ nodeId: 1, host: "h", port: 1 }, { nodeId: 2, host: "h", port: 2 }],
    controller: 1,
    topics: [],
    underReplicated: 4,
    offline: 0,
  });
  metrics.recordFailure();
  const out = await lines(registry);
  assert.ok(out.includes("tickerwatch_kafka_brokers_up 2"));
  assert.ok(out.includes("tickerwatch_kafka_under_replicated_partitions 4"));
  assert.ok(out.includes("tickerwatch_kafka_offline_partitions 0"));
  assert.ok(out.includes("tickerwatch_kafka_describe_failures_total 1"));
});

Deno.test("consumerLagGauge() sets tickerwatch_consumer_lag per topic and partition", async () => {
  const registry = new Registry();
  const onLag = consumerLagGauge(registry, "to-notifier");
  onLag([{ partition: 0, lag: 5 }, { partition: 1, lag: 0 }]);
  onLag([{ partition: 0, lag: 2 }]);
  const out = await lines(registry);
  assert.deepEqual(out, [
    'tickerwatch_consumer_lag{topic="to-notifier",partition="0"} 2',
    'tickerwatch_consumer_lag{topic="to-notifier",partition="1"} 0',
  ]);
});

Deno.test("Metric sets on two registries in one process count apart and touch no global registry", async () => {
  const command = new Registry();
  const query = new Registry();
  registerProcessMetrics(command);
  registerProcessMetrics(query);
  new PrometheusGrpcMetrics(command).observe("LoginUser", grpc.status.OK, 1);
  new PrometheusGrpcMetrics(query).observe("GetLatestValue", grpc.status.OK, 1);
  new CollectorMetrics(new Registry());
  new AlertSystemMetrics(new Registry());
  new NotifierMetrics(new Registry());
  new ClusterMetrics(new Registry());
  consumerLagGauge(new Registry(), "t");
  assert.ok((await lines(command)).includes(
    'tickerwatch_grpc_requests_total{method="LoginUser",code="OK"} 1',
  ));
  assert.ok(!(await command.metrics()).includes("GetLatestValue"));
  assert.ok(!(await query.metrics()).includes("LoginUser"));
  assert.deepEqual(globalRegistry.getMetricsAsArray().map((m) => m.name), []);
});
