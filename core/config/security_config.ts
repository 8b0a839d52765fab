/** Reading the security settings (tokens, TLS files, SASL) shared by several services. */
import { ConfigError, type EnvReader } from "./env.ts";

/** TLS of a gRPC server: its certificate and key files, and the CA of client certificates. */
export interface GrpcServerTls {
  /** `GRPC_TLS_CERT`: PEM file of the server's certificate chain. */
  readonly certFile: string;
  /** `GRPC_TLS_KEY`: PEM file of the server's private key. */
  readonly keyFile: string;
  /** `GRPC_TLS_CLIENT_CA`: PEM file of the CA clients' certificates must chain to (mutual TLS). */
  readonly clientCaFile: string | undefined;
}

/** Kafka client TLS: CA to trust, an optional client certificate, whether to verify the broker. */
export interface KafkaTls {
  /** `KAFKA_TLS_CA`: PEM file of the CA the brokers' certificates chain to; unset: system CAs. */
  readonly caFile: string | undefined;
  /** `KAFKA_TLS_CERT`: PEM file of the client certificate (with `keyFile`). */
  readonly certFile: string | undefined;
  /** `KAFKA_TLS_KEY`: PEM file of the client certificate's key. */
  readonly keyFile: string | undefined;
  /** `KAFKA_TLS_VERIFY`: check the brokers' certificates and names; default true. */
  readonly verify: boolean;
}

/** SASL mechanisms kafkajs speaks that tickerwatch offers. */
export const KAFKA_SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/** Kafka SASL authentication. */
export interface KafkaSasl {
  /** `KAFKA_SASL_MECHANISM`: plain, scram-sha-256 or scram-sha-512. */
  readonly mechanism: (typeof KAFKA_SASL_MECHANISMS)[number];
  /** `KAFKA_SASL_USERNAME`. */
  readonly username: string;
  /** `KAFKA_SASL_PASSWORD` or the file `KAFKA_SASL_PASSWORD_FILE` names. */
  readonly password: string;
}

/** How a service reaches Kafka securely; both null means plaintext, as the local cluster runs. */
export interface KafkaSecurity {
  /** TLS to the brokers, or null for plaintext. */
  readonly tls: KafkaTls | null;
  /** SASL authentication, or null for none. */
  readonly sasl: KafkaSasl | null;
}

/** TLS to MySQL: CA, optional client certificate, whether to verify the server. */
export interface MysqlTls {
  /** `MYSQL_TLS_CA`: PEM file of the CA of the server's certificate; unset: system CAs. */
  readonly caFile: string | undefined;
  /** `MYSQL_TLS_CERT`: PEM file of a client certificate (with `keyFile`). */
  readonly certFile: string | undefined;
  /** `MYSQL_TLS_KEY`: PEM file of the client certificate's key. */
  readonly keyFile: string | undefined;
  /** `MYSQL_TLS_VERIFY`: check the server's certificate; default true. */
  readonly verify: boolean;
}

/** Variables of {@linkcode readGrpcAuthTokens} and {@linkcode readGrpcServerTls}. */
export const GRPC_SECURITY_ENV = [
  "GRPC_AUTH_TOKENS",
  "GRPC_AUTH_TOKENS_FILE",
  "GRPC_TLS_CERT",
  "GRPC_TLS_KEY",
  "GRPC_TLS_CLIENT_CA",
] as const;

/** Variables of {@linkcode readKafkaSecurity}. */
export const KAFKA_SECURITY_ENV = [
  "KAFKA_TLS",
  "KAFKA_TLS_CA",
  "KAFKA_TLS_CERT",
  "KAFKA_TLS_KEY",
  "KAFKA_TLS_VERIFY",
  "KAFKA_SASL_MECHANISM",
  "KAFKA_SASL_USERNAME",
  "KAFKA_SASL_PASSWORD",
  "KAFKA_SASL_PASSWORD_FILE",
] as const;

/** Variables of {@linkcode readMysqlTls} (and the `MYSQL_URL_FILE` form of MYSQL_URL). */
export const MYSQL_SECURITY_ENV = [
  "MYSQL_URL_FILE",
  "MYSQL_TLS",
  "MYSQL_TLS_CA",
  "MYSQL_TLS_CERT",
  "MYSQL_TLS_KEY",
  "MYSQL_TLS_VERIFY",
] as const;

/** Shortest accepted bearer token: 16 characters, so a token cannot be guessed by trying. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * `GRPC_AUTH_TOKENS` (or `GRPC_AUTH_TOKENS_FILE`): the bearer tokens a gRPC server accepts,
 * separated by commas or newlines, each at least {@linkcode MIN_TOKEN_LENGTH} characters; null
 * when unset (no authentication). Several tokens allow rotation.
 *
 * @throws {ConfigError} naming the variable, never quoting a token
 */
export function readGrpcAuthTokens(r: EnvReader): string[] | null {
  const raw = r.secret("GRPC_AUTH_TOKENS");
  if (raw === undefined) return null;
  const tokens = raw.split(/[,\n]/).map((t) => t.trim()).filter((t) => t !== "");
  if (tokens.length === 0) throw new ConfigError("GRPC_AUTH_TOKENS", "lists no token");
  const short = tokens.findIndex((t) => t.length < MIN_TOKEN_LENGTH || /\s/.test(t));
  if (short >= 0) {
    throw new ConfigError(
      "GRPC_AUTH_TOKENS",
      `token ${short + 1} must be at least ${MIN_TOKEN_LENGTH} characters without spaces`,
    );
  }
  return [...new Set(tokens)];
}

/**
 * `GRPC_TLS_CERT` + `GRPC_TLS_KEY` (both or neither) and `GRPC_TLS_CLIENT_CA` (mutual TLS,
 * needs the other two): null when the server speaks plaintext.
 *
 * @throws {ConfigError} naming the variable
 */
export function readGrpcServerTls(r: EnvReader): GrpcServerTls | null {
  const certFile = r.file("GRPC_TLS_CERT");
  const keyFile = r.file("GRPC_TLS_KEY");
  const clientCaFile = r.file("GRPC_TLS_CLIENT_CA");
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) {
      throw new ConfigError("GRPC_TLS_CLIENT_CA", "needs GRPC_TLS_CERT and GRPC_TLS_KEY");
    }
    return null;
  }
  if (certFile === undefined) throw new ConfigError("GRPC_TLS_CERT", "needs GRPC_TLS_KEY too");
  if (keyFile === undefined) throw new ConfigError("GRPC_TLS_KEY", "needs GRPC_TLS_CERT too");
  return { certFile, keyFile, clientCaFile };
}

/**
 * Kafka TLS and SASL. TLS is on with `KAFKA_TLS=true` or when any `KAFKA_TLS_*` file is set;
 * SASL is on when `KAFKA_SASL_MECHANISM` is set, and then needs a username and a password.
 *
 * @throws {ConfigError} naming the variable
 */
export function readKafkaSecurity(r: EnvReader): KafkaSecurity {
  const caFile = r.file("KAFKA_TLS_CA");
  const certFile = r.file("KAFKA_TLS_CERT");
  const keyFile = r.file("KAFKA_TLS_KEY");
  _pair("KAFKA_TLS_CERT", certFile, "KAFKA_TLS_KEY", keyFile);
  const anyFile = [caFile, certFile, keyFile].some((f) => f !== undefined);
  const enabled = r.bool("KAFKA_TLS", anyFile);
  if (!enabled && anyFile) {
    throw new ConfigError("KAFKA_TLS", "is false but KAFKA_TLS_* files are set");
  }
  const verify = r.bool("KAFKA_TLS_VERIFY", true);
  const tls = enabled ? { caFile, certFile, keyFile, verify } : null;

  const mechanism = r.string("KAFKA_SASL_MECHANISM", "").toLowerCase();
  const username = r.string("KAFKA_SASL_USERNAME", "");
  const password = r.secret("KAFKA_SASL_PASSWORD");
  if (mechanism === "") {
    if (username !== "" || password !== undefined) {
      throw new ConfigError("KAFKA_SASL_MECHANISM", "must be set with a SASL username or password");
    }
    return { tls, sasl: null };
  }
  const mechanisms: readonly string[] = KAFKA_SASL_MECHANISMS;
  if (!mechanisms.includes(mechanism)) {
    throw new ConfigError(
      "KAFKA_SASL_MECHANISM",
      `must be one of ${KAFKA_SASL_MECHANISMS.join(", ")}, got "${mechanism}"`,
    );
  }
  if (username === "") throw new ConfigError("KAFKA_SASL_USERNAME", "is needed for SASL");
  if (password === undefined) throw new ConfigError("KAFKA_SASL_PASSWORD", "is needed for SASL");
  return {
    tls,
    sasl: { mechanism: mechanism as KafkaSasl["mechanism"], username, password },
  };
}

/**
 * MySQL TLS: on with `MYSQL_TLS=true` or when any `MYSQL_TLS_*` file is set; null for plaintext.
 *
 * @throws {ConfigError} naming the variable
 */
export function readMysqlTls(r: EnvReader): MysqlTls | null {
  const caFile = r.file("MYSQL_TLS_CA");
  const certFile = r.file("MYSQL_TLS_CERT");
  const keyFile = r.file("MYSQL_TLS_KEY");
  _pair("MYSQL_TLS_CERT", certFile, "MYSQL_TLS_KEY", keyFile);
  const anyFile = [caFile, certFile, keyFile].some((f) => f !== undefined);
  const enabled = r.bool("MYSQL_TLS", anyFile);
  if (!enabled && anyFile) {
    throw new ConfigError("MYSQL_TLS", "is false but MYSQL_TLS_* files are set");
  }
  const verify = r.bool("MYSQL_TLS_VERIFY", true);
  return enabled ? { caFile, certFile, keyFile, verify } : null;
}

function _pair(a: string, va: string | undefined, b: string, vb: string | undefined): void {
  if (va !== undefined && vb === undefined) throw new ConfigError(b, `is needed with ${a}`);
  if (vb !== undefined && va === undefined) throw new ConfigError(a, `is needed with ${b}`);
}
