/**
 * tickerwatch core: domain rules, the command and query services, ports and their adapters
 * (MySQL, Kafka, Yahoo Finance, SMTP). Executables import only from this module.
 *
 * @module
 */

// config and logging
export * from "./config/env.ts";
export * from "./log/logger.ts";

// --- metrics: the operator's view (owner: ship-it issue) ---
export * from "./metrics/metrics_server.ts";
export * from "./metrics/process_metrics.ts";
export * from "./grpc/prometheus_grpc_metrics.ts";
export * from "./collector/collector_metrics.ts";
export * from "./alerts/alert_system_metrics.ts";
export * from "./notify/notifier_metrics.ts";

// --- users, commands, queries, MySQL, gRPC (owner: core + gRPC issue) ---
export * from "./config/common_config.ts";
export * from "./runtime/shutdown.ts";
export * from "./runtime/run_service.ts";
export * from "./runtime/retry.ts";
export * from "./domain/validation_error.ts";
export * from "./domain/not_found_error.ts";
export * from "./domain/email.ts";
export * from "./domain/ticker.ts";
export * from "./domain/thresholds.ts";
export * from "./domain/user.ts";
export * from "./commands/user_repository.ts";
export * from "./commands/outcome.ts";
export * from "./commands/command_ledger.ts";
export * from "./commands/request_cache.ts";
export * from "./commands/request_id_conflict_error.ts";
export * from "./commands/command_service.ts";
export * from "./queries/price_history.ts";
export * from "./queries/query_service.ts";
export * from "./runtime/database_unavailable_error.ts";
export * from "./mysql/mysql_database.ts";
export * from "./mysql/migrations.ts";
export * from "./mysql/open_database.ts";
export * from "./mysql/mysql_user_repository.ts";
export * from "./mysql/mysql_command_ledger.ts";
export * from "./mysql/mysql_price_history.ts";
export * from "./grpc/user_service_proto.ts";
export * from "./grpc/grpc_errors.ts";
export * from "./grpc/grpc_metrics.ts";
export * from "./grpc/unary_handler.ts";
export * from "./grpc/grpc_server.ts";
export * from "./grpc/command_handlers.ts";
export * from "./grpc/query_handlers.ts";
export * from "./grpc/user_client.ts";
export * from "./services/database_health.ts";
export * from "./services/grpc_service_host.ts";
export * from "./services/command_server.ts";
export * from "./services/query_server.ts";
export * from "./messages/messages.ts";
export * from "./messages/alert_message.ts";
export * from "./domain/alert_mode.ts";
export * from "./domain/alert_id.ts";
export * from "./domain/threshold_type.ts";
export * from "./domain/threshold_rule.ts";
export * from "./domain/crossing.ts";
export * from "./domain/alert.ts";
export * from "./alerts/threshold_evaluator.ts";
export * from "./mysql/mysql_threshold_evaluator.ts";
export * from "./collector/quote_store.ts";
export * from "./collector/collector.ts";
export * from "./services/collector_config.ts";
export * from "./services/collector.ts";
export * from "./mysql/mysql_quote_store.ts";
export * from "./alerts/alert_system.ts";
export * from "./services/alert_system_config.ts";
export * from "./services/alert_system.ts";

// --- Kafka (owner: Kafka issue) ---
export * from "./messages/topics.ts";
export * from "./kafka/kafka_errors.ts";
export * from "./messages/message_handling_error.ts";
export * from "./messages/record_publisher.ts";
export * from "./kafka/kafka_client.ts";
export * from "./kafka/batching_producer.ts";
export * from "./kafka/consumer_runner.ts";
export * from "./kafka/topic_admin.ts";
export * from "./services/kafka_admin_config.ts";
export * from "./services/kafka_admin.ts";
export * from "./kafka/consumer_lag.ts";
export * from "./kafka/cluster_metrics.ts";

// --- prices, circuit breaker, mail (owner: pipeline issue) ---
export * from "./domain/quote.ts";
export * from "./collector/price_source.ts";
export * from "./prices/synthetic_price_source.ts";
export * from "./prices/replay_price_source.ts";
export * from "./prices/yahoo_price_source.ts";
export * from "./runtime/circuit_breaker.ts";
export * from "./collector/guarded_price_source.ts";
export * from "./notify/mailer.ts";
export * from "./notify/alert_email.ts";
export * from "./mail/smtp_mailer.ts";
export * from "./notify/last_sent_cache.ts";

// --- notifier ---
export * from "./notify/sent_alert_log.ts";
export * from "./mysql/mysql_sent_alert_log.ts";
export * from "./notify/notifier.ts";
export * from "./services/notifier_config.ts";
export * from "./services/notifier.ts";

// --- the user CLI ---
export * from "./cli/cli_exit_codes.ts";
export * from "./cli/run_cli.ts";
