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
  dlqTopicOf,
  ensureTopics,
  GuardedPriceSource,
  loadAlertSystemConfig,
  loadNotifierConfig,
  type Logger,
  MysqlQuoteStore,
  openDatabase,
  type PriceSource,
  type RunningServer,
  startAlertSystem,
  startNotifier,
  type Stoppable,
  SyntheticPriceSource,
} from "../../core/mod.ts";
import {
  connectAdmin,
  deleteTopics,
  ensureKafkaCluster,
  KAFKA_BROKERS,
  randomName,
} from "../_kafka.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { rid, userServiceClients } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";
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
  await ensureKafkaCluster();
  const tmp = freshDatabase();
  const smtp = await SmtpCatcher.start();
  const admin = await connectAdmin();
  const prefix = randomName("e2e");
  const toAlert = `${prefix}.to-alert-system`;
  const toNotifier = `${prefix}.to-notifier`;
  const topics = [toAlert, dlqTopicOf(toAlert), toNotifier, dlqTopicOf(toNotifier)];
  await ensureTopics(admin, [
    { topic: toAlert, partitions: 1 },
    { topic: dlqTopicOf(toAlert), partitions: 1 },
    { topic: toNotifier, partitions: 3 },
    { topic: dlqTopicOf(toNotifier), partitions: 3 },
  ]);
  const stops: (() => Promise<void>)[] = [];
  const cmd: RunningServer = await commandServer(tmp.url);
  const qry: RunningServer = await queryServer(tmp.url);
  const clients = userServiceClients(cmd.port, qry.port);
  const brokers = KAFKA_BROKERS.join(",");

  const alert = capturingLogger("alert-system");
  const alertSystem: Stoppable = await startAlertSystem(
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
  const notify = capturingLogger("notifier");
  const notifier = await startNotifier(
    loadNotifierConfig({
      MYSQL_URL: tmp.url,
      KAFKA_BROKERS: brokers,
      SMTP_URL: smtp.url(),
      TOPIC_TO_NOTIFIER: toNotifier,
      NOTIFIER_GROUP: randomName("g-notify"),
      NOTIFIER_RETRY_INITIAL_MS: "100",
      NOTIFIER_RETRY_MAX_MS: "1000",
      METRICS_ADDR: "off",
    }),
    { logger: notify.logger },
  );

  const collectorLog = capturingLogger("collector");
  const db = await openDatabase({ url: tmp.url, logger: collectorLog.logger });
  const producer = await BatchingProducer.connect({
    kafka: createKafkaClient({
      brokers: KAFKA_BROKERS,
      clientId: "e2e-collector",
      logger: collectorLog.logger,
    }),
    logger: collectorLog.logger,
  });
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
  stops.push(
    () => Promise.resolve(clients.close()),
    () => notifier.stop(),
    () => alertSystem.stop(),
    () => producer.close(),
    () => db.close(),
    () => cmd.stop(),
    () => qry.stop(),
    () => smtp.stop(),
    async () => {
      await deleteTopics(admin, topics);
      await admin.disconnect();
    },
    () => tmp.drop(),
  );
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
    async [Symbol.asyncDispose]() {
      for (const stop of stops) await stop().catch((err) => console.error("cleanup:", err));
    },
  };
}
