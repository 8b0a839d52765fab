/** Creating topics and describing the cluster: brokers, controller, leaders, replicas, ISR. */
import type { Admin } from "kafkajs";
import type { Logger } from "../log/logger.ts";

/** A topic that {@linkcode ensureTopics} creates when it is missing. */
export interface TopicSpec {
  /** Topic name. */
  topic: string;
  /**
   * Number of partitions: a missing topic is created with it, an existing topic with fewer is
   * raised to it, one with more is left as it is.
   */
  partitions: number;
  /** Replication factor; default 3 (used only on creation). */
  replicationFactor?: number;
  /** `min.insync.replicas`; default 2 (used only on creation). */
  minInsyncReplicas?: number;
}

/** A topic whose partition count {@linkcode ensureTopics} raised or found above its spec. */
export interface PartitionChange {
  /** Topic name. */
  topic: string;
  /** Partitions it had. */
  from: number;
  /** Partitions it has now (raised) or the spec asked for (more than asked). */
  to: number;
}

/** What {@linkcode ensureTopics} did with each topic. */
export interface EnsureTopicsResult {
  /** Topics it created. */
  created: string[];
  /** Topics that existed already. */
  existing: string[];
  /** Existing topics that had fewer partitions than their spec, now raised to it. */
  raised: PartitionChange[];
  /** Existing topics with more partitions than their spec (never lowered: left as they are). */
  aboveSpec: PartitionChange[];
}

/**
 * Creates the topics of `specs` that do not exist yet (partitions, replication factor,
 * `min.insync.replicas`) and waits for their leaders. An existing topic with fewer partitions
 * than its spec gets more (Kafka cannot take partitions away: one with more is left as it is,
 * with a warning to `logger`); nothing else of an existing topic changes, so calling it again is
 * harmless. Raising the partitions of a keyed topic moves keys to other partitions: records of
 * one key written before and after the change may be read out of order.
 *
 * @throws the kafkajs error when the cluster refuses (e.g. fewer brokers than the replication
 *   factor)
 * @example
 * ```ts
 * await ensureTopics(admin, [{ topic: TOPIC_TO_NOTIFIER, partitions: 24 }]);
 * ```
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  { logger }: { logger?: Logger } = {},
): Promise<EnsureTopicsResult> {
  const present = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !present.has(s.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? 3,
          configEntries: [{ name: "min.insync.replicas", value: String(s.minInsyncReplicas ?? 2) }],
        })),
      });
    } catch (err) {
      // Another process may have created some of them meanwhile.
      const now = new Set(await admin.listTopics());
      if (!missing.every((s) => now.has(s.topic))) throw err;
    }
  }
  const existingSpecs = specs.filter((s) => present.has(s.topic));
  const raised: PartitionChange[] = [];
  const aboveSpec: PartitionChange[] = [];
  if (existingSpecs.length > 0) {
    const { topics } = await admin.fetchTopicMetadata({
      topics: existingSpecs.map((s) => s.topic),
    });
    const counts = new Map(topics.map((t) => [t.name, t.partitions.length]));
    for (const s of existingSpecs) {
      const from = counts.get(s.topic) ?? 0;
      if (from < s.partitions) raised.push({ topic: s.topic, from, to: s.partitions });
      else if (from > s.partitions) aboveSpec.push({ topic: s.topic, from, to: s.partitions });
    }
    if (raised.length > 0) {
      try {
        await admin.createPartitions({
          validateOnly: false,
          topicPartitions: raised.map(({ topic, to }) => ({ topic, count: to })),
        });
      } catch (err) {
        // Another process may have raised them meanwhile.
        const { topics: now } = await admin.fetchTopicMetadata({
          topics: raised.map((r) => r.topic),
        });
        const after = new Map(now.map((t) => [t.name, t.partitions.length]));
        if (!raised.every((r) => (after.get(r.topic) ?? 0) >= r.to)) throw err;
      }
      for (const r of raised) logger?.info("topic partitions raised", { ...r });
    }
    for (const a of aboveSpec) {
      logger?.warn("topic has more partitions than configured; left as it is", {
        topic: a.topic,
        partitions: a.from,
        configured: a.to,
      });
    }
  }
  return {
    created: missing.map((s) => s.topic),
    existing: existingSpecs.map((s) => s.topic),
    raised,
    aboveSpec,
  };
}

/** One partition as the cluster's metadata sees it. */
export interface PartitionState {
  /** Partition number. */
  partition: number;
  /** Leader broker id, or -1 when there is none. */
  leader: number;
  /** Brokers holding a replica. */
  replicas: number[];
  /** Replicas in sync with the leader. */
  isr: number[];
  /** Replicas whose broker is down. */
  offlineReplicas: number[];
  /** Fewer in-sync replicas than replicas. */
  underReplicated: boolean;
  /** No leader: the partition can neither be read nor written. */
  offline: boolean;
}

/** One topic of a {@linkcode ClusterPicture}. */
export interface TopicState {
  /** Topic name. */
  topic: string;
  /** Its partitions, by number. */
  partitions: PartitionState[];
}

/** A snapshot of the cluster from {@linkcode describeCluster}. */
export interface ClusterPicture {
  /** Cluster id. */
  clusterId: string;
  /** Live (registered, unfenced) brokers. */
  brokers: { nodeId: number; host: string; port: number }[];
  /**
   * Controller id from the metadata. In KRaft mode brokers report a live broker here, not
   * necessarily the active quorum controller.
   */
  controller: number | null;
  /** Described topics, by name. */
  topics: TopicState[];
  /** Partitions with fewer in-sync replicas than replicas. */
  underReplicated: number;
  /** Partitions without a leader. */
  offline: number;
}

/**
 * Describes the cluster: brokers, controller and, for `topics` (default: every topic that does
 * not start with `__`), each partition's leader, replicas and ISR with under-replicated and
 * offline flags.
 *
 * @throws the kafkajs error when no broker answers
 */
export async function describeCluster(
  admin: Admin,
  topics?: readonly string[],
): Promise<ClusterPicture> {
  const cluster = await admin.describeCluster();
  const names = topics
    ? [...topics]
    : (await admin.listTopics()).filter((t) => !t.startsWith("__"));
  const metadata = names.length > 0
    ? await admin.fetchTopicMetadata({ topics: names })
    : { topics: [] };
  const states: TopicState[] = metadata.topics
    .map((t) => ({
      topic: t.name,
      partitions: t.partitions
        .map((p) => {
          const offlineReplicas = p.offlineReplicas ?? [];
          return {
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas,
            underReplicated: p.isr.length < p.replicas.length,
            offline: p.leader < 0,
          };
        })
        .sort((a, b) => a.partition - b.partition),
    }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
  const all = states.flatMap((t) => t.partitions);
  return {
    clusterId: cluster.clusterId,
    brokers: [...cluster.brokers].sort((a, b) => a.nodeId - b.nodeId),
    controller: cluster.controller,
    topics: states,
    underReplicated: all.filter((p) => p.underReplicated).length,
    offline: all.filter((p) => p.offline).length,
  };
}

/**
 * Writes a {@linkcode ClusterPicture} to `logger`: one line for the cluster, one per topic with
 * its partitions, and a warning per under-replicated or offline partition.
 */
export function logClusterPicture(logger: Logger, picture: ClusterPicture): void {
  logger.info("cluster", {
    clusterId: picture.clusterId,
    brokers: picture.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`),
    controller: picture.controller,
    topics: picture.topics.length,
    underReplicated: picture.underReplicated,
    offline: picture.offline,
  });
  for (const t of picture.topics) {
    logger.info("topic", {
      topic: t.topic,
      partitions: t.partitions.map(({ partition, leader, replicas, isr }) => ({
        partition,
        leader,
        replicas,
        isr,
      })),
    });
    for (const p of t.partitions) {
      if (p.offline) {
        logger.warn("partition offline", {
          topic: t.topic,
          partition: p.partition,
          replicas: p.replicas,
          isr: p.isr,
        });
      } else if (p.underReplicated) {
        logger.warn("partition under-replicated", {
          topic: t.topic,
          partition: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          missing: p.replicas.filter((r) => !p.isr.includes(r)),
        });
      }
    }
  }
}
