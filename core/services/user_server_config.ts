/** The configuration of the command and query servers, read from the environment. */
import { readLogLevel, readMetricsAddr, readMysqlUrl } from "../config/common_config.ts";
import { ConfigError, type Env, EnvReader } from "../config/env.ts";
import {
  GRPC_SECURITY_ENV,
  type GrpcServerTls,
  MYSQL_SECURITY_ENV,
  type MysqlTls,
  readGrpcAuthTokens,
  readGrpcServerTls,
  readMysqlTls,
} from "../config/security_config.ts";
import { DEFAULT_LANGUAGE, type Language, LANGUAGES } from "../domain/language.ts";
import type { LogLevel } from "../log/logger.ts";
import { CONSENT_ENV, type ConsentConfig, readConsentConfig } from "./consent_config.ts";
/** A gRPC service a server can host: `command` (UserCommandService), `query` (UserQueryService). */
export type UserServiceName = "command" | "query";

/** Configuration shared by the command and the query server; they differ only in defaults. */
export interface UserServerConfig {
  /** `GRPC_ADDR`: `host:port` to listen on (port 0 picks a free one). */
  grpcAddr: string;
  /** `MYSQL_URL`: the database, e.g. `mysql://root@127.0.0.1:3306/tickerwatch` (the default). */
  mysqlUrl: string;
  /**
   * `MYSQL_POOL_SIZE`: most MySQL connections the server opens, i.e. most calls talking to the
   * database at once (the others wait for a connection); default 10.
   */
  mysqlPoolSize: number;
  /** `LOG_LEVEL`: lowest level logged; default "info". */
  logLevel: LogLevel;
  /**
   * `GRPC_SERVICES`: the services served on `grpcAddr`, e.g. `command,query` for clients of the
   * original system that send everything to one address; default the server's own service.
   */
  grpcServices: UserServiceName[];
  /** `RESPONSE_LANGUAGE`: the reply texts' language when a call asks for none; default `en`. */
  responseLanguage: Language;
  /** How long a processed request_id is remembered in MySQL (`REQUEST_RETENTION_S`, 86,400). */
  requestRetentionMs: number;
  /** `REQUEST_CACHE_SIZE`: request ids remembered in memory; default 10,000. */
  requestCacheSize: number;
  /** How long the in-memory cache keeps a request id, in ms, from `REQUEST_CACHE_TTL_S` (600). */
  requestCacheTtlMs: number;
  /**
   * Where new tickers are checked (`TICKER_CHECK`): `{ kind: "yahoo" }` with the time limit of
   * one check (`TICKER_CHECK_TIMEOUT_MS`, 2,000), or null for no check.
   */
  tickerCheck: { kind: "yahoo"; timeoutMs: number } | null;
  /**
   * `REGISTER_RATE_PER_MINUTE`: RegisterUser calls one peer address may make per minute (also
   * the burst); past it RESOURCE_EXHAUSTED with a `retry-after`; default 30, 0 turns it off.
   */
  registerRatePerMinute: number;
  /** `SHUTDOWN_GRACE_MS`: how long calls in flight may finish on stop; default 10,000 ms. */
  shutdownGraceMs: number;
  /** `/metrics` and `/healthz` address, or null when METRICS_ADDR=off. */
  metricsAddr: string | null;
  /** Double opt-in and the public links (`REQUIRE_CONFIRMATION`, `PUBLIC_*`, `LINK_SIGNING_KEY`). */
  consent: ConsentConfig;
  /**
   * `GRPC_AUTH_TOKENS` (or `GRPC_AUTH_TOKENS_FILE`): tokens every call but health and
   * reflection must carry as `authorization: Bearer <token>`; null (the default) lets anyone in.
   */
  authTokens: string[] | null;
  /** `GRPC_TLS_CERT`, `GRPC_TLS_KEY`, `GRPC_TLS_CLIENT_CA`: TLS of the gRPC port, null: plaintext. */
  tls: GrpcServerTls | null;
  /** `MYSQL_TLS*`: TLS to MySQL, null: plaintext. */
  mysqlTls: MysqlTls | null;
}

const DEFAULT_POOL_SIZE = 10;

/** Environment variables the command and query servers read. */
export const USER_SERVER_ENV = [
  "GRPC_ADDR",
  "GRPC_SERVICES",
  "MYSQL_URL",
  "MYSQL_POOL_SIZE",
  "LOG_LEVEL",
  "RESPONSE_LANGUAGE",
  "REQUEST_RETENTION_S",
  "REQUEST_CACHE_SIZE",
  "REQUEST_CACHE_TTL_S",
  "TICKER_CHECK",
  "TICKER_CHECK_TIMEOUT_MS",
  "PRICE_SOURCE",
  "SHUTDOWN_GRACE_MS",
  "REGISTER_RATE_PER_MINUTE",
  "METRICS_ADDR",
  ...CONSENT_ENV,
  ...GRPC_SECURITY_ENV,
  ...MYSQL_SECURITY_ENV,
] as const;

/**
 * Reads a command or query server's configuration; `defaults` says which server it is.
 *
 * `TICKER_CHECK` is `source` (check new tickers against the collector's price source, Yahoo) or
 * `off`. Unset, it follows `PRICE_SOURCE` when that is set (`yahoo` checks; `synthetic` and
 * `replay:…` do not, their tickers are made up) and is `off` otherwise: a server that is not
 * told where prices come from does not refuse tickers for a source it cannot know.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadUserServerConfig(
  env: Env,
  defaults: { own: UserServiceName; grpcAddr: string; metricsAddr: string },
): UserServerConfig {
  const r = new EnvReader(env);
  return {
    grpcAddr: r.hostPort("GRPC_ADDR", defaults.grpcAddr),
    mysqlUrl: readMysqlUrl(r),
    mysqlPoolSize: r.int("MYSQL_POOL_SIZE", DEFAULT_POOL_SIZE, { min: 1, max: 1_000 }),
    logLevel: readLogLevel(r),
    grpcServices: _services(r.string("GRPC_SERVICES", defaults.own)),
    responseLanguage: r.oneOf("RESPONSE_LANGUAGE", DEFAULT_LANGUAGE, LANGUAGES),
    requestRetentionMs: r.int("REQUEST_RETENTION_S", 86_400, { min: 1 }) * 1000,
    requestCacheSize: r.int("REQUEST_CACHE_SIZE", 10_000, { min: 1, max: 10_000_000 }),
    requestCacheTtlMs: r.int("REQUEST_CACHE_TTL_S", 600, { min: 1 }) * 1000,
    tickerCheck: _tickerCheck(r),
    registerRatePerMinute: r.int("REGISTER_RATE_PER_MINUTE", 30, { min: 0, max: 1_000_000 }),
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 10_000, { min: 0 }),
    metricsAddr: readMetricsAddr(r, defaults.metricsAddr),
    consent: readConsentConfig(r),
    authTokens: readGrpcAuthTokens(r),
    tls: readGrpcServerTls(r),
    mysqlTls: readMysqlTls(r),
  };
}

function _services(raw: string): UserServiceName[] {
  const names = raw.split(",").map((s) => s.trim().toLowerCase());
  const valid = names.filter((n): n is UserServiceName => n === "command" || n === "query");
  if (names.length === 0 || valid.length !== names.length) {
    throw new ConfigError("GRPC_SERVICES", `must list command and/or query, got "${raw}"`);
  }
  return [...new Set(valid)];
}

function _tickerCheck(r: EnvReader): UserServerConfig["tickerCheck"] {
  const source = r.string("PRICE_SOURCE", "");
  const fallback = source === "" ? "off" : source === "yahoo" ? "source" : "off";
  const mode = r.oneOf("TICKER_CHECK", fallback, ["source", "off"] as const);
  const timeoutMs = r.int("TICKER_CHECK_TIMEOUT_MS", 2_000, { min: 100, max: 60_000 });
  if (mode === "off") return null;
  if (source !== "" && source !== "yahoo") {
    throw new ConfigError(
      "TICKER_CHECK",
      `source needs PRICE_SOURCE=yahoo (or unset), got PRICE_SOURCE="${source}"`,
    );
  }
  return { kind: "yahoo", timeoutMs };
}
