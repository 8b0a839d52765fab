/**
 * The whole pipeline in one test process, on the real MySQL, the real 3-broker cluster and a
 * real SMTP server: command and query servers, alert system and notifier through their start
 * functions (the executables' wiring), and a collector whose cycles the test drives.
 */
import {
  BatchingProducer,
  CircuitBreaker,
  Collector,
  createKafkaClient,
  createLogger,
  GuardedPriceSource,
  loadAlertSystemConfig,
  loadNotifierConfig,
  type Logger,
  MysqlQuoteStore,
  openDatabase,
  type PriceSource,
  startAlertSystem,
  startNotifier,
  SyntheticPriceSource,
} from "../../core/mod.ts";
import { committedOffsets, KAFKA_BROKERS, randomName } from "../_kafka.ts";
import { kafkaTopics } from "../helpers/kafka_topics.ts";
import { DEFAULT_TO_NOTIFIER_PARTITIONS } from "../../core/services/kafka_admin_config.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";
import { ServiceStack } from "../helpers/services.ts";
import { SmtpCatcher } from "../helpers/smtp_catcher.ts";
import { waitFor } from "../helpers/wait.ts";

/** A logger that keeps parsed lines, for waiting on what a service did. */
export function capturingLogger(
  service: string,
): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(service, {
    level: "info",
    sink: (line) => {
      lines.push(JSON.parse(line));
      if (Deno.env.get("TEST_LOG_LEVEL")) console.error(line);
    },
  });
  return { logger, lines };
}

export interface Pipeline extends AsyncDisposable {
  dbUrl: string;
  smtp: SmtpCatcher;
  command: ReturnType<typeof userServiceClients>["command"];
  query: ReturnType<typeof userServiceClients>["query"];
  collector: Collector;
  breaker: CircuitBreaker;
  alertLines: Record<string, unknown>[];
  notifierLines: Record<string, unknown>[];
  /** Registers a user over gRPC (asserting OK). */
  subscribe(email: string, ticker: string, high?: number, low?: number): Promise<void>;
  /**
   * Runs one collector cycle and waits (default 60 s) until the alert system evaluated it;
   * returns its alert count.
   */
  cycle(timeoutMs?: number): Promise<number>;
  /**
   * Waits (default 30 s) until the notifier committed every alert on its topic: no mail can
   * come after that for what the cycles so far produced.
   */
  settled(timeoutMs?: number): Promise<void>;
}

/** Starts everything; `scripts` fixes each ticker's price per cycle. */
export async function startPipeline(
  { scripts = {}, alertEnv = {}, source, clock = Date.now }: {
    scripts?: Record<string, number[]>;
    alertEnv?: Record<string, string>;
    source?: PriceSource;
    /** The breaker's clock (tests move it instead of sleeping). */
    clock?: () => number;
  } = {},
): Promise<Pipeline> {
  const services = new ServiceStack();
  try {
    return await _start(services, { scripts, alertEnv, source, clock });
  } catch (err) {
    await services[Symbol.asyncDispose]();
    throw err;
  }
}

async function _start(
  services: ServiceStack,
  { scripts, alertEnv, source, clock }: {
    scripts: Record<string, number[]>;
    alertEnv: Record<string, string>;
    source: PriceSource | undefined;
    clock: () => number;
  },
): Promise<Pipeline> {
  const tmp = freshDatabase();
  services.defer(() => tmp.drop());
  const topics = services.use(
    await kafkaTopics([
      { prefix: "e2e-to-alert-system", partitions: 1, dlq: true },
      { prefix: "e2e-to-notifier", partitions: DEFAULT_TO_NOTIFIER_PARTITIONS, dlq: true },
    ]),
  );
  const [toAlert, toNotifier] = topics.names as [string, string];
  const smtp = services.use(await SmtpCatcher.start());
  const cmd = services.use(await commandServer(tmp.url));
  const qry = services.use(await queryServer(tmp.url));
  const clients = services.use(userServiceClients(cmd.port, qry.port));
  const brokers = KAFKA_BROKERS.join(",");
  const notifierGroup = randomName("g-notify");

  const alert = capturingLogger("alert-system");
  const alertSystem = await startAlertSystem(
    loadAlertSystemConfig({
      MYSQL_URL: tmp.url,
      KAFKA_BROKERS: brokers,
      TOPIC_TO_ALERT_SYSTEM: toAlert,
      TOPIC_TO_NOTIFIER: toNotifier,
      ALERT_SYSTEM_GROUP: randomName("g-alert"),
      METRICS_ADDR: "off",
      ...alertEnv,
    }),
    { logger: alert.logger },
  );
  services.use(alertSystem);
  const notify = capturingLogger("notifier");
  const notifier = await startNotifier(
    loadNotifierConfig({
      MYSQL_URL: tmp.url,
      KAFKA_BROKERS: brokers,
      SMTP_URL: smtp.url(),
      TOPIC_TO_NOTIFIER: toNotifier,
      NOTIFIER_GROUP: notifierGroup,
      NOTIFIER_RETRY_INITIAL_MS: "100",
      NOTIFIER_RETRY_MAX_MS: "1000",
      METRICS_ADDR: "off",
    }),
    { logger: notify.logger },
  );
  services.use(notifier);

  const collectorLog = capturingLogger("collector");
  const db = services.use(await openDatabase({ url: tmp.url, logger: collectorLog.logger }));
  const producer = await BatchingProducer.connect({
    kafka: createKafkaClient({
      brokers: KAFKA_BROKERS,
      clientId: "e2e-collector",
      logger: collectorLog.logger,
    }),
    logger: collectorLog.logger,
  });
  services.use(producer);
  const breaker = new CircuitBreaker({
    name: "price-source",
    failureThreshold: 5,
    cooldownMs: 60_000,
    now: clock,
    onStateChange: ({ from, to }) => collectorLog.logger.info("breaker", { from, to }),
  });
  const collector = new Collector({
    store: new MysqlQuoteStore(db),
    source: new GuardedPriceSource({
      source: source ?? new SyntheticPriceSource({ seed: 1, scripts }),
      breaker,
    }),
    publisher: producer,
    logger: collectorLog.logger,
    topic: toAlert,
  });
  return {
    dbUrl: tmp.url,
    smtp,
    command: clients.command,
    query: clients.query,
    collector,
    breaker,
    alertLines: alert.lines,
    notifierLines: notify.lines,
    async subscribe(email, ticker, high, low) {
      const r = await clients.command("RegisterUser", {
        email,
        ticker,
        request_id: rid(),
        ...(high === undefined ? {} : { high_value: high }),
        ...(low === undefined ? {} : { low_value: low }),
      });
      if (r.code !== 0) throw new Error(`RegisterUser failed: ${r.details}`);
    },
    async cycle(timeoutMs = 60_000) {
      const report = await collector.runCycle();
      if (report.skipped) return 0;
      const line = await waitFor(
        () => alert.lines.find((l) => l.msg === "update evaluated" && l.cycleId === report.cycleId),
        { timeoutMs, what: `the alert system to evaluate cycle ${report.cycleId}` },
      );
      return Number(line.alerts);
    },
    async settled(timeoutMs = 30_000) {
      await waitFor(async () => {
        const ends = await topics.admin.fetchTopicOffsets(toNotifier);
        const produced = ends.reduce((sum, p) => sum + Number(p.high), 0);
        return await committedOffsets(topics.admin, notifierGroup, toNotifier) >= produced;
      }, { timeoutMs, intervalMs: 100, what: "the notifier to commit every alert" });
    },
    [Symbol.asyncDispose]: () => services[Symbol.asyncDispose](),
  };
}
