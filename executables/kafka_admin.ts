/**
 * kafka-admin: creates tickerwatch's topics when missing, then logs the cluster's brokers,
 * controller and every partition's leader, replicas and ISR at an interval.
 *
 * Usage: deno run -A executables/kafka_admin.ts [--once] [--help]
 */
import {
  createKafkaClient,
  createLogger,
  describeCluster,
  dlqTopicOf,
  ensureTopics,
  loadKafkaAdminConfig,
  loadOrExit,
  logClusterPicture,
  type TopicSpec,
  VERSION,
} from "../core/mod.ts";

const USAGE = `kafka-admin: create tickerwatch's Kafka topics and monitor the cluster

usage: kafka_admin [--once] [--help] [--version]

  --once   create missing topics, log the cluster picture once, exit 0
  --help   print this text

environment:
  KAFKA_BROKERS               bootstrap list (default 127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092)
  KAFKA_CLIENT_ID             default kafka-admin
  TO_ALERT_SYSTEM_PARTITIONS  partitions of to-alert-system and its .dlq (default 1)
  TO_NOTIFIER_PARTITIONS      partitions of to-notifier and its .dlq (default 3)
  KAFKA_REPLICATION_FACTOR    default 3
  KAFKA_MIN_INSYNC_REPLICAS   default 2
  KAFKA_MONITOR_INTERVAL_S    seconds between cluster pictures (default 120)
  KAFKA_ADMIN_TIMEOUT_S       how long to wait for the cluster at start (default 60)
  TOPIC_TO_ALERT_SYSTEM       name of the to-alert-system topic (default to-alert-system)
  TOPIC_TO_NOTIFIER           name of the to-notifier topic (default to-notifier)
  LOG_LEVEL                   debug, info, warn or error (default info)
`;

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.includes("--version")) {
    console.log(`tickerwatch kafka-admin ${VERSION}`);
    return 0;
  }
  const unknown = args.filter((a) => a !== "--once");
  if (unknown.length > 0) {
    console.error(`kafka-admin: unknown argument ${unknown[0]}\n\n${USAGE}`);
    return 2;
  }
  const once = args.includes("--once");
  const config = loadOrExit(() => loadKafkaAdminConfig(Deno.env.toObject()));
  const log = createLogger("kafka-admin", { level: config.logLevel });

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      log.info("signal received, stopping", { signal });
      stop.abort();
    });
  }

  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: config.clientId,
    logger: log,
  });
  const admin = kafka.admin();
  try {
    await connectWithin(admin, config.startTimeoutMs, stop.signal);
    if (stop.signal.aborted) return 0;

    const topic = (name: string, partitions: number): TopicSpec => ({
      topic: name,
      partitions,
      replicationFactor: config.replicationFactor,
      minInsyncReplicas: config.minInsyncReplicas,
    });
    const specs = [
      topic(config.toAlertSystemTopic, config.toAlertSystemPartitions),
      topic(dlqTopicOf(config.toAlertSystemTopic), config.toAlertSystemPartitions),
      topic(config.toNotifierTopic, config.toNotifierPartitions),
      topic(dlqTopicOf(config.toNotifierTopic), config.toNotifierPartitions),
    ];
    const { created, existing } = await ensureTopics(admin, specs);
    log.info("topics ensured", { created, existing });
    const ours = await describeCluster(admin, specs.map((s) => s.topic));
    for (const t of ours.topics) {
      log.info("topic partitions", { topic: t.topic, partitions: t.partitions.length });
    }

    while (!stop.signal.aborted) {
      try {
        logClusterPicture(log, await describeCluster(admin));
      } catch (err) {
        log.error("cannot describe the cluster", { error: err });
        if (once) return 1;
      }
      if (once) return 0;
      await sleep(config.monitorIntervalMs, stop.signal);
    }
    return 0;
  } catch (err) {
    if (stop.signal.aborted) return 0;
    log.error("kafka-admin failed", { error: err });
    return 1;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Connects the admin client, retrying until `timeoutMs` passed or `signal` aborted. */
async function connectWithin(
  admin: { connect(): Promise<void> },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await admin.connect();
    } catch (err) {
      if (signal.aborted || Date.now() + 1000 > deadline) throw err;
      await sleep(1000, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
