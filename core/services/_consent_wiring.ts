/** What the command server runs for consent: links, the mail relay, the public listener. */
import type { ConfirmationSettings } from "../commands/command_service.ts";
import { ConsentService } from "../commands/consent_service.ts";
import { ConsentLinks } from "../domain/consent_links.ts";
import { LinkSigner } from "../domain/link_signer.ts";
import { createKafkaClient } from "../kafka/kafka_client.ts";
import type { Logger } from "../log/logger.ts";
import { MysqlConsentStore } from "../mysql/mysql_consent_store.ts";
import type { MysqlDatabase } from "../mysql/mysql_database.ts";
import { MysqlMailOutbox } from "../mysql/mysql_mail_outbox.ts";
import { startMailOutboxRelay } from "./_mail_outbox_relay.ts";
import type { ConsentConfig, LinkSettings } from "./consent_config.ts";
import { ConsentHttpServer } from "./consent_http_server.ts";

/** The consent parts of a running command server. */
export interface ConsentParts {
  /** What the command service needs for double opt-in; undefined when it is off. */
  readonly confirmation: ConfirmationSettings | undefined;
  /** The public listener's port; undefined when PUBLIC_HTTP_ADDR=off. */
  readonly publicPort: number | undefined;
  /** Closes the listener and the relay. */
  stop(): Promise<void>;
}

/** The signed links of `settings`; warns when the development key stands in for a real one. */
export function consentLinksOf(settings: LinkSettings, logger: Logger): ConsentLinks {
  if (settings.developmentKey) {
    logger.warn(
      "LINK_SIGNING_KEY is not set: links are signed with the development key (localhost only)",
    );
  }
  return new ConsentLinks({
    baseUrl: settings.baseUrl,
    signer: new LinkSigner(settings.signingKey),
  });
}

/**
 * Starts the relay of queued confirmation mails (when confirmation is required) and the public
 * link listener (when PUBLIC_HTTP_ADDR is not off).
 */
export async function startConsent(
  config: ConsentConfig,
  db: MysqlDatabase,
  logger: Logger,
): Promise<ConsentParts> {
  const links = consentLinksOf(config, logger);
  const relay = config.requireConfirmation
    ? startMailOutboxRelay({
      outbox: new MysqlMailOutbox(db),
      kafka: createKafkaClient({
        brokers: config.brokers,
        clientId: "command-server",
        logger,
        security: config.kafkaSecurity,
      }),
      topic: config.topicToNotifier,
      logger,
    })
    : undefined;
  let http: ConsentHttpServer | undefined;
  try {
    http = config.publicHttpAddr === null ? undefined : ConsentHttpServer.start({
      address: config.publicHttpAddr,
      consent: new ConsentService({ links, store: new MysqlConsentStore(db), logger }),
      logger,
    });
  } catch (err) {
    await relay?.stop();
    throw err;
  }
  return {
    confirmation: config.requireConfirmation
      ? { links, ttlMs: config.confirmationTtlMs }
      : undefined,
    publicPort: http?.port,
    async stop() {
      await http?.close();
      await relay?.stop();
    },
  };
}
