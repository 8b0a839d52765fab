/** The consent settings: public links (base URL, signing key) and double opt-in. */
import { readKafkaBrokers, readTopic } from "../config/common_config.ts";
import { ConfigError, type EnvReader } from "../config/env.ts";
import {
  KAFKA_SECURITY_ENV,
  type KafkaSecurity,
  readKafkaSecurity,
} from "../config/security_config.ts";
import { TOPIC_TO_NOTIFIER } from "../messages/topics.ts";

/** Default PUBLIC_BASE_URL: the local listener (PUBLIC_HTTP_ADDR's default port). */
export const DEFAULT_PUBLIC_BASE_URL = "http://localhost:8080";

/**
 * The key links are signed with when LINK_SIGNING_KEY is not set and PUBLIC_BASE_URL is a
 * loopback address (local runs, tests, the demo); anywhere else the key is required.
 */
export const DEVELOPMENT_LINK_KEY = "tickerwatch development link key: never use in production";

/** How the links in mails are made: where they point and how they are signed. */
export interface LinkSettings {
  /** `PUBLIC_BASE_URL`: what the links start with; https unless the host is loopback. */
  baseUrl: string;
  /** `LINK_SIGNING_KEY` or the content of `LINK_SIGNING_KEY_FILE`: the HMAC key (secret). */
  signingKey: string;
  /** True when {@linkcode DEVELOPMENT_LINK_KEY} stands in for an unset key. */
  developmentKey: boolean;
}

/** The command server's consent settings. */
export interface ConsentConfig extends LinkSettings {
  /**
   * `REQUIRE_CONFIRMATION` (`on`/`off`, also true/false; default on): new addresses must follow
   * a mailed link before they get alerts.
   */
  requireConfirmation: boolean;
  /** `CONFIRMATION_TTL_S` in ms: how long a confirmation link works; default 7 days. */
  confirmationTtlMs: number;
  /** `PUBLIC_HTTP_ADDR`: the listener of the links, null when `off`; default 0.0.0.0:8080. */
  publicHttpAddr: string | null;
  /** `KAFKA_BROKERS`: where confirmation requests are published (to the notifier). */
  brokers: string[];
  /** `TOPIC_TO_NOTIFIER`: the notifier's topic; default `to-notifier`. */
  topicToNotifier: string;
  /** `KAFKA_TLS*`, `KAFKA_SASL_*`: how the relay reaches the brokers. */
  kafkaSecurity: KafkaSecurity;
}

/** Variables read by {@linkcode readLinkSettings}. */
export const LINK_ENV = ["PUBLIC_BASE_URL", "LINK_SIGNING_KEY", "LINK_SIGNING_KEY_FILE"] as const;

/** Variables read by {@linkcode readConsentConfig}. */
export const CONSENT_ENV = [
  ...LINK_ENV,
  "REQUIRE_CONFIRMATION",
  "CONFIRMATION_TTL_S",
  "PUBLIC_HTTP_ADDR",
  "KAFKA_BROKERS",
  "TOPIC_TO_NOTIFIER",
  ...KAFKA_SECURITY_ENV,
] as const;

const _LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Reads PUBLIC_BASE_URL and the signing key (LINK_SIGNING_KEY, or LINK_SIGNING_KEY_FILE for
 * container secrets; at least 32 bytes). The key never appears in an error.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function readLinkSettings(r: EnvReader): LinkSettings {
  const baseUrl = r.url("PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL, ["https:", "http:"]);
  const loopback = _LOOPBACK.has(new URL(baseUrl).hostname);
  if (new URL(baseUrl).protocol !== "https:" && !loopback) {
    throw new ConfigError("PUBLIC_BASE_URL", "must be https:// (http only for localhost)");
  }
  const key = r.secret("LINK_SIGNING_KEY");
  if (key === undefined) {
    if (!loopback) {
      throw new ConfigError(
        "LINK_SIGNING_KEY",
        "is required (or LINK_SIGNING_KEY_FILE) when PUBLIC_BASE_URL is not localhost",
      );
    }
    return { baseUrl, signingKey: DEVELOPMENT_LINK_KEY, developmentKey: true };
  }
  if (new TextEncoder().encode(key).length < 32) {
    const variable = r.string("LINK_SIGNING_KEY_FILE", "") === ""
      ? "LINK_SIGNING_KEY"
      : "LINK_SIGNING_KEY_FILE";
    throw new ConfigError(variable, "must be at least 32 bytes");
  }
  return { baseUrl, signingKey: key, developmentKey: false };
}

/**
 * Reads the command server's consent settings: {@linkcode readLinkSettings} plus
 * REQUIRE_CONFIRMATION, CONFIRMATION_TTL_S, PUBLIC_HTTP_ADDR, KAFKA_BROKERS, TOPIC_TO_NOTIFIER.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function readConsentConfig(r: EnvReader): ConsentConfig {
  const addr = r.string("PUBLIC_HTTP_ADDR", "0.0.0.0:8080");
  return {
    ...readLinkSettings(r),
    requireConfirmation: _onOff(r, "REQUIRE_CONFIRMATION", true),
    confirmationTtlMs: r.int("CONFIRMATION_TTL_S", 7 * 86_400, { min: 60 }) * 1000,
    publicHttpAddr: addr.toLowerCase() === "off"
      ? null
      : r.hostPort("PUBLIC_HTTP_ADDR", "0.0.0.0:8080"),
    brokers: readKafkaBrokers(r),
    topicToNotifier: readTopic(r, "TOPIC_TO_NOTIFIER", TOPIC_TO_NOTIFIER),
    kafkaSecurity: readKafkaSecurity(r),
  };
}

// `on`/`off` as well as what EnvReader.bool takes (true/false, 1/0, yes/no).
function _onOff(r: EnvReader, name: string, fallback: boolean): boolean {
  const raw = r.string(name, "").toLowerCase();
  if (raw === "on") return true;
  if (raw === "off") return false;
  return r.bool(name, fallback);
}
