/**
 * tickerwatch core: the library behind the tickerwatch services, as `@tickerwatch/core`.
 *
 * What it offers, from the inside out:
 * - **domain**: e-mail, ticker and threshold rules, quotes, the crossing/re-arm rule
 *   ({@linkcode applyThresholdRule}) and alerts with deterministic ids;
 * - **messages**: the Kafka message schemas and topics shared by producers and consumers;
 * - **features** with their ports: {@linkcode CommandService}, {@linkcode QueryService},
 *   {@linkcode Collector}, {@linkcode AlertSystem}, {@linkcode Notifier};
 * - **adapters** implementing those ports: MySQL, Kafka ({@linkcode BatchingProducer},
 *   {@linkcode ConsumerRunner}), Yahoo Finance and other price sources, SMTP, and the gRPC
 *   {@linkcode UserClient};
 * - **services**: one start function and one config loader per executable
 *   ({@linkcode startCommandServer}, {@linkcode startQueryServer}, {@linkcode startCollector},
 *   {@linkcode startAlertSystem}, {@linkcode startNotifier}, {@linkcode startKafkaAdmin}) and the
 *   CLI ({@linkcode runCli}), so any part of the system runs in-process.
 *
 * @example Start the command server in-process and subscribe a user
 * ```ts
 * import { createLogger, loadCommandServerConfig, startCommandServer, UserClient } from "@tickerwatch/core";
 *
 * const logger = createLogger("example");
 * const config = loadCommandServerConfig({ GRPC_ADDR: "127.0.0.1:0", METRICS_ADDR: "off" });
 * const server = await startCommandServer(config, { logger });
 * const client = new UserClient({ commandAddr: `127.0.0.1:${server.port}`, queryAddr: "127.0.0.1:50052" });
 * await client.register({ email: "ada@example.com", ticker: "AAPL", highValue: 200, requestId: crypto.randomUUID() });
 * client.close();
 * await server.stop();
 * ```
 *
 * @module
 */

// domain: values and rules
export * from "./domain/validation_error.ts";
export * from "./domain/not_found_error.ts";
export * from "./domain/email.ts";
export * from "./domain/ticker.ts";
export * from "./domain/thresholds.ts";
export * from "./domain/user.ts";
export * from "./domain/quote.ts";
export * from "./domain/price_format.ts";
export * from "./domain/threshold_type.ts";
export * from "./domain/alert_mode.ts";
export * from "./domain/threshold_rule.ts";
export * from "./domain/crossing.ts";
export * from "./domain/alert.ts";
export * from "./domain/alert_id.ts";
export * from "./domain/language.ts";
export * from "./domain/link_signer.ts";
export * from "./domain/consent_links.ts";

// messages: what producers and consumers share
export * from "./messages/topics.ts";
export * from "./messages/messages.ts";
export * from "./messages/message_schema.ts";
export * from "./messages/alert_message.ts";
export * from "./messages/record_publisher.ts";
export * from "./messages/message_handling_error.ts";
export * from "./messages/confirmation_message.ts";

// features and their ports
export * from "./commands/command_service.ts";
export * from "./commands/outcome.ts";
export * from "./commands/command_ledger.ts";
export * from "./commands/user_repository.ts";
export * from "./commands/request_cache.ts";
export * from "./commands/request_id_conflict_error.ts";
export * from "./commands/command_reply.ts";
export * from "./commands/ticker_directory.ts";
export * from "./commands/cached_ticker_directory.ts";
export * from "./queries/query_service.ts";
export * from "./queries/price_history.ts";
export * from "./queries/unknown_ticker_marks.ts";
export * from "./collector/collector.ts";
export * from "./collector/quote_store.ts";
export * from "./collector/price_source.ts";
export * from "./collector/guarded_price_source.ts";
export * from "./collector/unknown_tickers.ts";
export * from "./collector/unknown_ticker_marking.ts";
export * from "./alerts/alert_system.ts";
export * from "./alerts/threshold_evaluator.ts";
export * from "./notify/notifier.ts";
export * from "./notify/sent_alert_log.ts";
export * from "./notify/last_sent_cache.ts";
export * from "./notify/mailer.ts";
export * from "./notify/alert_email.ts";
export * from "./notify/confirmation_email.ts";
export * from "./commands/consent_service.ts";
export * from "./commands/consent_store.ts";
export * from "./notify/mail_cap.ts";
export * from "./notify/held_back_note.ts";

// adapters
export * from "./mysql/mysql_database.ts";
export * from "./mysql/open_database.ts";
export * from "./mysql/mysql_user_repository.ts";
export * from "./mysql/mysql_command_ledger.ts";
export * from "./mysql/mysql_price_history.ts";
export * from "./mysql/mysql_quote_store.ts";
export * from "./mysql/mysql_threshold_evaluator.ts";
export * from "./mysql/mysql_sent_alert_log.ts";
export * from "./mysql/mysql_unknown_tickers.ts";
export * from "./mysql/mysql_consent_store.ts";
export * from "./mysql/mysql_mail_outbox.ts";
export * from "./mysql/mysql_mail_cap_store.ts";
export { createKafkaClient, type KafkaClientOptions } from "./kafka/kafka_client.ts";
export * from "./kafka/batching_producer.ts";
export * from "./kafka/consumer_runner.ts";
export type { TopicSpec } from "./kafka/topic_admin.ts";
export * from "./kafka/kafka_errors.ts";
export * from "./prices/yahoo_price_source.ts";
export * from "./prices/synthetic_price_source.ts";
export * from "./prices/replay_price_source.ts";
export * from "./prices/yahoo_ticker_directory.ts";
export * from "./mail/smtp_mailer.ts";
export * from "./grpc/user_client.ts";
export type { GrpcClientTlsFiles, GrpcServerTlsFiles } from "./grpc/grpc_tls.ts";

// plumbing a library user meets
export * from "./config/env.ts";
export * from "./config/security_config.ts";
export * from "./log/logger.ts";
export * from "./runtime/retry.ts";
export * from "./runtime/circuit_breaker.ts";
export * from "./runtime/database_unavailable_error.ts";
export * from "./runtime/run_service.ts";

// services: one per executable, and the CLI
export * from "./services/command_server.ts";
export * from "./services/query_server.ts";
export {
  type RunningUserServer,
  USER_SERVER_ENV,
  type UserServerConfig,
  type UserServerStartOptions,
  type UserServiceName,
} from "./services/user_server.ts";
export * from "./services/consent_config.ts";
export * from "./services/consent_http_server.ts";
export type { RunningServer } from "./services/grpc_service_host.ts";
export * from "./services/collector_config.ts";
export * from "./services/collector.ts";
export * from "./services/alert_system_config.ts";
export * from "./services/alert_system.ts";
export * from "./services/notifier_config.ts";
export * from "./services/notifier.ts";
export * from "./services/kafka_admin_config.ts";
export * from "./services/kafka_admin.ts";
export * from "./cli/cli_exit_codes.ts";
export * from "./cli/run_cli.ts";
