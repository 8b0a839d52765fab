/**
 * A consumer group member that validates each message, hands it to a handler, and commits its
 * offset only after the handler finished; malformed messages are parked in `<topic>.dlq`.
 */
import type { Buffer } from "node:buffer";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { MessageSchema } from "../messages/message_schema.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { BatchingProducer } from "./batching_producer.ts";
import { isRetriable } from "../messages/message_handling_error.ts";
import { dlqTopicOf } from "../messages/topics.ts";
import { retry } from "../runtime/retry.ts";
import { delay } from "../runtime/shutdown.ts";

/** A consumed message whose value passed JSON parsing and the schema. */
export interface ConsumedMessage<T> {
  /** Topic it came from. */
  topic: string;
  /** Partition it came from. */
  partition: number;
  /** Its offset (decimal string). */
  offset: string;
  /** Its key as UTF-8, or null. */
  key: string | null;
  /** The validated value. */
  value: T;
  /** Headers, as kafkajs decodes them. */
  headers: MessageHeaders;
}

/** Kafka record headers as kafkajs decodes them: bytes or strings, one or several per name. */
export type MessageHeaders = Readonly<
  Record<string, Buffer | string | (Buffer | string)[] | undefined>
>;

/**
 * Backoff of handler retries: exponential with full jitter, the wait after attempt n drawn from
 * [0, min(maxMs, initialMs·2^(n-1))).
 */
export interface RetryBackoff {
  /** Ceiling of the first wait in ms; default 200. */
  initialMs?: number;
  /** Cap of a single wait in ms; default 30000. */
  maxMs?: number;
}

/** Options of {@linkcode ConsumerRunner}. */
export interface ConsumerRunnerOptions<T> {
  /** A client from {@linkcode createKafkaClient}. */
  kafka: Kafka;
  /** Consumer group; a new group starts from the earliest offset. */
  groupId: string;
  /** Topic to consume. Its dead-letter topic `<topic>.dlq` must exist. */
  topic: string;
  /** Schema of the JSON value (a zod schema, e.g. {@linkcode AlertMessageSchema}). */
  schema: MessageSchema<T>;
  /**
   * Does the work for one message. Throwing retries the message with backoff, unless the error
   * has `retriable: false` ({@linkcode MessageHandlingError}): then it goes to the DLQ.
   */
  handler: (message: ConsumedMessage<T>) => Promise<void>;
  /** Default {@linkcode silentLogger}. */
  logger?: Logger;
  /** Backoff between handler attempts. */
  retry?: RetryBackoff;
  /** Producer for the DLQ; default one made from `kafka` and closed with the runner. */
  dlqProducer?: BatchingProducer;
  /** Group session timeout in ms; default 10000 (the broker's minimum is 6000). */
  sessionTimeoutMs?: number;
  /** Heartbeat interval in ms; default 1000. */
  heartbeatIntervalMs?: number;
  /**
   * Handlers running at the same time, over all partitions of this member; default 1: one
   * message at a time, each offset committed right after its handler. Above 1, the partitions
   * are processed concurrently (up to `partitionsConcurrently` of them) and each partition's
   * fetched batch is taken in chunks of up to `concurrency × 8` messages; within a chunk,
   * messages with the same key run one after the other in offset order and different keys run
   * at once, never more than `concurrency` handlers in all (one pool of slots shared by the
   * partitions); then one commit covers the chunk. Only messages whose handler finished are ever
   * covered by a commit.
   */
  concurrency?: number;
  /**
   * With `concurrency` above 1: partitions whose chunks are processed at the same time; default
   * `concurrency` (each partition can have a handler running). Ignored with `concurrency` 1.
   */
  partitionsConcurrently?: number;
  /**
   * With `concurrency` above 1: called with the valid messages of each chunk before their
   * handlers run, e.g. to read what they need in one statement, and `afterChunk` with the same
   * messages once the chunk is over (also when it was cut short). A failure of `beforeChunk` is
   * logged and the handlers run anyway: they must not depend on it.
   */
  beforeChunk?: (messages: ConsumedMessage<T>[]) => Promise<void>;
  /** See `beforeChunk`. */
  afterChunk?: (messages: ConsumedMessage<T>[]) => void;
}

/** Headers a DLQ record carries, naming where the original was. */
export const DLQ_HEADERS = {
  topic: "dlq-original-topic",
  partition: "dlq-original-partition",
  offset: "dlq-original-offset",
  reason: "dlq-reason",
} as const;

/** The JSON value of a DLQ record. */
export interface DlqValue {
  /** Why the message was parked. */
  reason: string;
  /** The original value: UTF-8 text, or base64 when it was not valid UTF-8. */
  original: string | null;
  /** How `original` is encoded. */
  originalEncoding: "utf8" | "base64";
  /** Where the original was. */
  source: { topic: string; partition: number; offset: string };
  /** When it was parked (ISO 8601). */
  parkedAt: string;
}

// Strict UTF-8 (invalid bytes throw); without `stream` a decode keeps no state, so one serves all.
const _UTF8 = new TextDecoder("utf-8", { fatal: true });

type _Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Runs one consumer group member over one topic with auto-commit off. Messages of a partition
 * are processed one by one; each is JSON-parsed and validated with `schema`, then passed to
 * `handler`, and its offset is committed only after the handler returned (at-least-once: a
 * crash before the commit means redelivery). Retriable handler errors are retried until `stop`
 * with capped exponential backoff and full jitter, heartbeating after each wait, and the message
 * is never skipped. Messages that
 * fail parsing or validation, and non-retriable handler errors, are written to `<topic>.dlq`
 * (see {@linkcode DlqValue}, {@linkcode DLQ_HEADERS}) and then committed.
 *
 * @example
 * ```ts
 * await using runner = await ConsumerRunner.start({
 *   kafka, groupId: "alert_notifier_group", topic: TOPIC_TO_NOTIFIER, schema: AlertMessageSchema,
 *   handler: async ({ value }) => {
 *     await notifier.handle(value);
 *   },
 * });
 * ```
 */
export class ConsumerRunner<T> {
  readonly #options: ConsumerRunnerOptions<T>;
  readonly #consumer: Consumer;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  readonly #ownsDlqProducer: boolean;
  #dlq: BatchingProducer | undefined;
  #stopped: Promise<void> | undefined;
  #running = false;

  private constructor(options: ConsumerRunnerOptions<T>) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({
      component: "consumer",
      groupId: options.groupId,
      topic: options.topic,
    });
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
      allowAutoTopicCreation: false,
    });
    this.#dlq = options.dlqProducer;
    this.#ownsDlqProducer = options.dlqProducer === undefined;
  }

  /**
   * Connects, joins the group and starts consuming; resolves once consumption has started
   * (not once partitions are assigned). When that fails, what it opened is closed again.
   *
   * @throws the kafkajs error when connecting or subscribing fails
   */
  static async start<T>(options: ConsumerRunnerOptions<T>): Promise<ConsumerRunner<T>> {
    const runner = new ConsumerRunner(options);
    try {
      await runner.#start();
    } catch (err) {
      await runner.stop().catch(() => {});
      throw err;
    }
    return runner;
  }

  /**
   * True from start until `stop`, unless the consumer crashed for good (kafkajs gave up
   * restarting it); for `/healthz`.
   */
  get running(): boolean {
    return this.#running;
  }

  async #start(): Promise<void> {
    const { kafka, topic } = this.#options;
    this.#dlq ??= await BatchingProducer.connect({ kafka, logger: this.#log, lingerMs: 0 });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      this.#log.error("consumer crashed", { error: payload.error, restart: payload.restart });
      if (!payload.restart) this.#running = false;
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#log.info("consumer joined", {
        partitions: payload.memberAssignment[topic]?.length ?? 0,
        joinMs: payload.duration,
      });
    });
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [topic], fromBeginning: true });
    const concurrency = this.#options.concurrency ?? 1;
    this.#running = true;
    if (concurrency > 1) {
      await this.#runChunked(concurrency);
      this.#log.info("consumer started", { concurrency });
      return;
    }
    await this.#consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const done = await this.#process(topic, partition, message, heartbeat);
        if (!done) return; // stopping: leave it uncommitted, it will be redelivered
        const next = (BigInt(message.offset) + 1n).toString();
        await this.#consumer.commitOffsets([{ topic, partition, offset: next }]);
      },
    });
    this.#log.info("consumer started");
  }

  async #runChunked(concurrency: number): Promise<void> {
    const slots = new _Slots(concurrency);
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConcurrently ?? concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { topic, partition, messages } = batch;
        for (let i = 0; i < messages.length; i += concurrency * 8) {
          if (!isRunning() || isStale()) return;
          const chunk = messages.slice(i, i + concurrency * 8);
          const parsed = new Map(chunk.map((m) => [m, this.#parse(m)]));
          const valid = this.#options.beforeChunk || this.#options.afterChunk
            ? chunk.flatMap((m) => {
              const p = parsed.get(m)!;
              return p.ok ? [this.#consumed(topic, partition, m, p.value)] : [];
            })
            : [];
          let done: boolean[];
          try {
            await this.#options.beforeChunk?.(valid).catch((error) =>
              this.#log.warn("chunk preparation failed, handlers run without it", {
                partition,
                error,
              })
            );
            done = await _byKey(
              chunk,
              concurrency,
              (m) => slots.run(() => this.#process(topic, partition, m, heartbeat, parsed.get(m))),
            );
          } finally {
            this.#options.afterChunk?.(valid);
          }
          const finished = done.indexOf(false) < 0 ? chunk.length : done.indexOf(false);
          const last = chunk[finished - 1];
          if (last) {
            resolveOffset(last.offset);
            const next = (BigInt(last.offset) + 1n).toString();
            await this.#consumer.commitOffsets([{ topic, partition, offset: next }]);
          }
          if (finished < chunk.length) return; // stopping: the rest will be redelivered
          await heartbeat();
        }
      },
    });
  }

  /** Returns false when the runner stopped before the message was done. */
  async #process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    parsed: _Outcome<T> = this.#parse(message),
  ): Promise<boolean> {
    const where = { partition, offset: message.offset };
    let reason: string;
    if (parsed.ok) {
      try {
        await this.#retrying(
          "handler failed, retrying",
          where,
          heartbeat,
          isRetriable,
          () => this.#options.handler(this.#consumed(topic, partition, message, parsed.value)),
        );
        return true;
      } catch (err) {
        if (this.#stopping.signal.aborted) return false;
        // Only the handler's non-retriable errors end its retries; others came from the
        // heartbeat, and kafkajs handles those (rejoin, redelivery).
        if (isRetriable(err)) throw err;
        reason = `handler failed (not retriable): ${_describe(err)}`;
      }
    } else {
      reason = parsed.reason;
    }
    try {
      await this.#retrying(
        "DLQ write failed, retrying",
        where,
        heartbeat,
        () => true,
        () => this.#park(topic, partition, message, reason),
      );
    } catch (err) {
      if (this.#stopping.signal.aborted) return false;
      throw err;
    }
    this.#log.warn("message parked in the DLQ", { ...where, reason });
    return true;
  }

  /** Runs `work` until it succeeds, fails for good or `stop`; heartbeats after each wait. */
  #retrying(
    what: string,
    where: { partition: number; offset: string },
    heartbeat: () => Promise<void>,
    retriable: (err: unknown) => boolean,
    work: () => Promise<void>,
  ): Promise<void> {
    const { initialMs = 200, maxMs = 30_000 } = this.#options.retry ?? {};
    return retry(work, {
      retriable,
      baseMs: initialMs,
      capMs: maxMs,
      signal: this.#stopping.signal,
      onRetry: ({ attempt, waitMs, error }) =>
        this.#log.warn(what, { ...where, attempt, waitMs: Math.round(waitMs), error }),
      sleep: async (ms, signal) => {
        await delay(ms, signal);
        await heartbeat();
      },
    });
  }

  #consumed(
    topic: string,
    partition: number,
    message: KafkaMessage,
    value: T,
  ): ConsumedMessage<T> {
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString("utf8") ?? null,
      value,
      headers: message.headers ?? {},
    };
  }

  #parse(message: KafkaMessage): _Outcome<T> {
    if (message.value === null) return { ok: false, reason: "empty value" };
    let json: unknown;
    try {
      json = JSON.parse(_UTF8.decode(message.value));
    } catch (err) {
      return { ok: false, reason: `invalid JSON: ${_describe(err)}` };
    }
    const result = this.#options.schema.safeParse(json);
    if (result.success) return { ok: true, value: result.data };
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, reason: `schema validation failed: ${issues.join("; ")}` };
  }

  async #park(topic: string, partition: number, message: KafkaMessage, reason: string) {
    const value: DlqValue = {
      reason,
      ..._original(message.value),
      source: { topic, partition, offset: message.offset },
      parkedAt: new Date().toISOString(),
    };
    await this.#dlq!.send(dlqTopicOf(topic), {
      key: message.key ? new Uint8Array(message.key) : null,
      value: JSON.stringify(value),
      headers: {
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: String(partition),
        [DLQ_HEADERS.offset]: message.offset,
        [DLQ_HEADERS.reason]: reason.slice(0, 200),
      },
    });
  }

  /**
   * Stops gracefully: no more fetches, the message in hand finishes (a handler retry waiting
   * for backoff is abandoned, uncommitted), its offset is committed, the consumer leaves the
   * group and disconnects. Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping.abort();
      this.#running = false;
      await this.#consumer.stop();
      await this.#consumer.disconnect();
      if (this.#ownsDlqProducer) await this.#dlq?.close();
      this.#log.info("consumer stopped");
    })();
    return this.#stopped;
  }

  /** Same as {@linkcode ConsumerRunner.stop}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function _original(value: Uint8Array | null): Pick<DlqValue, "original" | "originalEncoding"> {
  if (value === null) return { original: null, originalEncoding: "utf8" };
  try {
    return {
      original: _UTF8.decode(value),
      originalEncoding: "utf8",
    };
  } catch {
    let bin = "";
    for (const b of value) bin += String.fromCharCode(b);
    return { original: btoa(bin), originalEncoding: "base64" };
  }
}

/**
 * Runs `work` over `messages`, those with the same key one after the other in order, at most
 * `limit` keys at once; resolves with each message's result, in the order of `messages`.
 */
async function _byKey(
  messages: KafkaMessage[],
  limit: number,
  work: (message: KafkaMessage) => Promise<boolean>,
): Promise<boolean[]> {
  const results = new Array<boolean>(messages.length).fill(false);
  const groups = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const key = m.key?.toString("base64") ?? "";
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const i of group) {
        results[i] = await work(messages[i]!);
        if (!results[i]) return; // stopping
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  return results;
}

/** A pool of `size` slots: `run` waits for a free one (first come, first served). */
class _Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<R>(work: () => Promise<R>): Promise<R> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

function _describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
