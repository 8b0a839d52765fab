import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import {
  AlertSystemMetrics,
  ClusterMetrics,
  CollectorMetrics,
  MailSendError,
  MessageHandlingError,
  MetricsRegistry,
  NotifierMetrics,
  PrometheusGrpcMetrics,
} from "../../core/mod.ts";

function lines(registry: MetricsRegistry): string[] {
  return registry.render().split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

Deno.test("PrometheusGrpcMetrics counts server-side failures as errors, refusals only as requests", () => {
  const registry = new MetricsRegistry();
  const metrics = new PrometheusGrpcMetrics(registry);
  metrics.observe("GetLatestValue", grpc.status.NOT_FOUND, 3);
  metrics.observe("GetLatestValue", grpc.status.UNAVAILABLE, 2000);
  const out = lines(registry);
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
      'tickerwatch_grpc_request_duration_seconds_bucket{method="GetLatestValue",le="0.005"} 1',
    ),
  );
  assert.ok(
    out.includes('tickerwatch_grpc_request_duration_seconds_sum{method="GetLatestValue"} 2.003'),
  );
});

Deno.test("CollectorMetrics records results, quotes, unknown symbols, failures and the breaker", () => {
  const registry = new MetricsRegistry();
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
  const out = lines(registry);
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
  assert.ok(lines(registry).includes("tickerwatch_collector_breaker_state 1"));
});

Deno.test("AlertSystemMetrics records updates, alerts and the evaluation time", () => {
  const registry = new MetricsRegistry();
  const metrics = new AlertSystemMetrics(registry);
  metrics.recordUpdate({ cycleId: "c", quotes: 4, alerts: 3, transitions: 3, millis: 20 });
  metrics.recordFailure();
  const out = lines(registry);
  assert.ok(out.includes("tickerwatch_alert_system_updates_total 1"));
  assert.ok(out.includes("tickerwatch_alert_system_alerts_published_total 3"));
  assert.ok(out.includes("tickerwatch_alert_system_update_failures_total 1"));
  assert.ok(out.includes('tickerwatch_alert_system_evaluation_seconds_bucket{le="0.025"} 1'));
  assert.ok(out.includes("tickerwatch_alert_system_evaluation_seconds_count 1"));
});

Deno.test("NotifierMetrics records sent, skipped by reason and failures by kind", () => {
  const registry = new MetricsRegistry();
  const metrics = new NotifierMetrics(registry);
  metrics.recordOutcome("sent");
  metrics.recordOutcome("already-sent");
  metrics.recordOutcome("repeat");
  metrics.recordOutcome("repeat");
  metrics.recordFailure(new MailSendError("server down", { retriable: true }));
  metrics.recordFailure(new MessageHandlingError("rejected", { retriable: false }));
  const out = lines(registry);
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

Deno.test("ClusterMetrics sets brokers up, under-replicated and offline partitions", () => {
  const registry = new MetricsRegistry();
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
  const out = lines(registry);
  assert.ok(out.includes("tickerwatch_kafka_brokers_up 2"));
  assert.ok(out.includes("tickerwatch_kafka_under_replicated_partitions 4"));
  assert.ok(out.includes("tickerwatch_kafka_offline_partitions 0"));
  assert.ok(out.includes("tickerwatch_kafka_describe_failures_total 1"));
});
