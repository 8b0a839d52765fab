/**
 * tickerwatch core: domain rules, the command and query services, ports and their adapters
 * (MySQL, Kafka, Yahoo Finance, SMTP). Executables import only from this module.
 *
 * @module
 */

// config and logging
export * from "./config/env.ts";
export * from "./log/logger.ts";

// --- users, commands, queries, MySQL, gRPC (owner: core + gRPC issue) ---

// --- Kafka (owner: Kafka issue) ---

// --- prices, circuit breaker, mail (owner: pipeline issue) ---
