/**
 * A Kafka producer with the original system's settings (acks=all, gzip, one request in flight
 * per broker, 3 retries) and small batches: kafkajs has no `batch.size`, so records are grouped
 * here, and the batches of all partitions a broker leads travel in one produce request, as the
 * Java client's accumulator and sender do.
 */
import { Buffer } from "node:buffer";
import { CompressionTypes, Partitioners } from "kafkajs";
import type { Admin, Kafka, Message, PartitionerArgs, Producer, TopicMessages } from "kafkajs";
import { type Logger, silentLogger } from "../log/logger.ts";
import { ProducerClosedError } from "./kafka_errors.ts";
// kafkajs 2.2.4's produce response parsers (pinned in deno.json): see _keepPartitionResults.
import produceV0 from "kafkajs/src/protocol/requests/produce/v0/response.js";
import produceV1 from "kafkajs/src/protocol/requests/produce/v1/response.js";
import produceV2 from "kafkajs/src/protocol/requests/produce/v2/response.js";
import produceV3 from "kafkajs/src/protocol/requests/produce/v3/response.js";
import produceV4 from "kafkajs/src/protocol/requests/produce/v4/response.js";
import produceV5 from "kafkajs/src/protocol/requests/produce/v5/response.js";
import produceV6 from "kafkajs/src/protocol/requests/produce/v6/response.js";
import produceV7 from "kafkajs/src/protocol/requests/produce/v7/response.js";
import { createErrorFromCode } from "kafkajs/src/protocol/error.js";

/** One record to produce. Strings are sent as UTF-8. */
export interface ProducerRecord {
  /** Partitioning key; records with the same key keep their order. */
  key?: string | Uint8Array | null;
  /** The payload. */
  value: string | Uint8Array;
  /** Optional headers. */
  headers?: Record<string, string | Uint8Array>;
}

/** Where Kafka stored an acknowledged record. */
export interface RecordPosition {
  /** Topic written to. */
  topic: string;
  /** Partition written to. */
  partition: number;
  /** Offset of the record in its partition (a decimal string: offsets are 64-bit). */
  offset: string;
}

/** One batch sent by {@linkcode BatchingProducer}, reported to `onBatch` after its ack. */
export interface BatchReport {
  /** Topic of the batch. */
  topic: string;
  /** Partition of the batch. */
  partition: number;
  /** Number of records. */
  count: number;
  /** Batch bytes as measured by {@linkcode recordBytes} (summed over the records). */
  bytes: number;
  /** Offset of the batch's first record. */
  baseOffset: string;
}

/** One acknowledged produce request, reported to `onRequest`. */
export interface RequestReport {
  /**
   * The broker (node id) the request was addressed to, as the producer's metadata named the
   * leader of its partitions; -1 when the leader was unknown (kafkajs then routes it).
   */
  broker: number;
  /** The batches it carried: at most one per partition. */
  batches: BatchReport[];
}

/** A produce request as kafkajs put it on the wire (its `producer.network.request` event). */
export interface ProduceRequestEvent {
  /** `host:port` of the broker. */
  broker: string;
  /** Request size in bytes, framing and compressed batches included. */
  size: number;
  /** When it was sent (epoch ms). */
  sentAt: number;
  /** Time from sending to the response, in ms. */
  duration: number;
  /** Time the request waited in kafkajs's queue for the connection, in ms. */
  pendingDuration: number;
}

/** Options of {@linkcode BatchingProducer}. */
export interface BatchingProducerOptions {
  /** A client from {@linkcode createKafkaClient}. */
  kafka: Kafka;
  /** Default {@linkcode silentLogger}. */
  logger?: Logger;
  /**
   * Upper bound of a batch in bytes as measured by {@linkcode recordBytes}; default 500.
   * A batch is closed as soon as the next record would push it past this bound. A single record
   * larger than the bound is sent alone, in a batch of one (as Kafka's `batch.size` does).
   */
  maxBatchBytes?: number;
  /**
   * How long a batch that is not full waits for more records before its broker is sent a
   * request, in ms; default 5. A request leaves earlier when any partition of the broker has a
   * full batch, and then carries the partial batches of the broker's other partitions too.
   */
  lingerMs?: number;
  /** Retries of a batch whose produce request failed, with backoff from 300 ms; default 3. */
  retries?: number;
  /** How long the leader may wait for the in-sync replicas' acks, in ms; default 30000. */
  ackTimeoutMs?: number;
  /**
   * Use kafkajs's idempotent producer; default false (unsafe with limited retries). See the note on
   * {@linkcode BatchingProducer} for why it is off. With it, kafkajs retries (3 times) instead of
   * this class, and a request is not sent again after its retries.
   */
  idempotent?: boolean;
  /**
   * Send each batch in a produce request of its own (one request in flight per broker still),
   * as this class did before requests carried a batch per partition; default false. Only for
   * comparing the two in benchmarks.
   */
  requestPerBatch?: boolean;
  /**
   * How long partitions and leaders looked up for a topic are used before they are looked up
   * again, in ms; default 60000. A failed request looks them up at once.
   */
  metadataMaxAgeMs?: number;
  /** Called after each acknowledged batch (metrics, tests). */
  onBatch?: (report: BatchReport) => void;
  /** Called after each acknowledged produce request (metrics, tests). */
  onRequest?: (report: RequestReport) => void;
  /** Called for each produce request kafkajs sent (its instrumentation event; tests). */
  onProduceRequest?: (event: ProduceRequestEvent) => void;
}

/**
 * The size of a record as counted against `maxBatchBytes`: the UTF-8 bytes of the key, the
 * value, and every header's name and value. Kafka's framing (record and batch headers, varints)
 * and compression are not counted, so this is the payload that a batch carries.
 */
export function recordBytes(record: ProducerRecord): number {
  let n = _byteLength(record.key) + _byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    n += _byteLength(name) + _byteLength(value);
  }
  return n;
}

const _encoder = new TextEncoder();
function _byteLength(v: string | Uint8Array | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "string" ? _encoder.encode(v).length : v.length;
}

interface _Pending {
  record: ProducerRecord;
  bytes: number;
  resolve: (pos: RecordPosition) => void;
  reject: (err: unknown) => void;
}

interface _Batch {
  items: _Pending[];
  bytes: number;
  /** No record is added any more: the next one did not fit, or it was sent once. */
  closed: boolean;
  /** When its first record arrived (Date.now()). */
  createdAt: number;
  /** Failed sends so far. */
  attempts: number;
  /** Not sent again before this time (retry backoff). */
  retryAt: number;
}

interface _PartitionQueue {
  topic: string;
  partition: number;
  /** Batches in send order; only the last one may be open. */
  batches: _Batch[];
  /** Its head batch is in a request that has not completed. */
  inFlight: boolean;
}

type _PartitionMetadata = PartitionerArgs["partitionMetadata"];

const _RETRY_INITIAL_MS = 300;
const _RETRY_MAX_MS = 5_000;

/**
 * Produces records in batches of at most `maxBatchBytes` per topic-partition, with acks=all
 * (-1), gzip and 3 retries, in produce requests shaped like the Java client's: for each broker,
 * when it has no request in flight and one of the partitions it leads has a full batch (or a
 * batch that waited `lingerMs`), one request carries the head batch of every partition that
 * broker leads with records queued, partial batches included. A broker has at most one request
 * in flight, each partition at most one batch, so records of one key arrive in `send` order,
 * and a slow or dead broker holds back only the partitions it leads. Records are partitioned
 * here with kafkajs's default (Java-compatible murmur2) partitioner; leaders come from the
 * topic's metadata, fetched again after a failed request.
 *
 * {@linkcode BatchingProducer.send} resolves only after Kafka acknowledged the record (written
 * to at least `min.insync.replicas` replicas) and rejects when its batch failed after retries
 * (e.g. NotEnoughReplicas when too few replicas are in sync). A failed batch goes back to the
 * head of its partition's queue and waits its backoff (300 ms, doubling, at most 5 s). When the
 * broker answered, only the partitions it refused are sent again (the others are acked at their
 * offsets, although kafkajs reports the request as failed); when no answer came (timeout, lost
 * connection), every batch of the request is sent again, and one the broker had stored is then
 * stored twice (at-least-once, as with one batch per request; the consumers tolerate repeats):
 * `send` reports the offset of the acknowledged copy.
 *
 * Idempotence is off by default, decided by test. kafkajs's idempotent producer (experimental)
 * survived a leader SIGKILL under load here with no loss, duplicate or reordering (issue #598's
 * out-of-order sequences come from concurrent sends to one partition, which this class never
 * makes). But kafkajs gives a failed request's sequence numbers back, and with the contract's
 * 3 retries a request can fail after the leader appended it (NOT_ENOUGH_REPLICAS after a
 * timeout): the next batch then reuses those sequence numbers, the broker takes it for a
 * duplicate, and `send` resolves for a record that was never stored. Reproduced with a
 * min.insync.replicas=3 topic and one follower killed. Without idempotence a failed request may
 * still have been stored (a duplicate if the caller retries), which at-least-once consumers
 * tolerate, but an acknowledged record is always stored at the reported offset
 * (tests/kafka/producer_test.ts checks both).
 *
 * @example
 * ```ts
 * await using producer = await BatchingProducer.connect({ kafka });
 * const pos = await producer.send("to-notifier", { key: "a@b.c", value: JSON.stringify(alert) });
 * ```
 */
export class BatchingProducer {
  readonly #producer: Producer;
  readonly #admin: Admin;
  readonly #log: Logger;
  readonly #maxBatchBytes: number;
  readonly #lingerMs: number;
  readonly #ackTimeoutMs: number;
  readonly #retries: number;
  readonly #requestPerBatch: boolean;
  readonly #metadataMaxAgeMs: number;
  readonly #onBatch: ((report: BatchReport) => void) | undefined;
  readonly #onRequest: ((report: RequestReport) => void) | undefined;
  readonly #partitioner = Partitioners.DefaultPartitioner();
  readonly #queues = new Map<string, _PartitionQueue>();
  /** Metadata per topic: the pending or last lookup. */
  readonly #metadata = new Map<string, { at: number; partitions: Promise<_PartitionMetadata> }>();
  /** Leader per partition of each topic, from the last metadata lookup that succeeded. */
  readonly #leaders = new Map<string, Map<number, number>>();
  /** Brokers (node ids) with a request in flight. */
  readonly #busy = new Set<number>();
  readonly #requests = new Set<Promise<void>>();
  #drainScheduled: ReturnType<typeof setTimeout> | undefined;
  #timer: { at: number; id: ReturnType<typeof setTimeout> } | undefined;
  #flushing = 0;
  #closed = false;
  /** Closed and flushed: no more timers. */
  #stopped = false;

  private constructor(options: BatchingProducerOptions) {
    this.#log = (options.logger ?? silentLogger).child({ component: "producer" });
    this.#maxBatchBytes = options.maxBatchBytes ?? 500;
    this.#lingerMs = options.lingerMs ?? 5;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#requestPerBatch = options.requestPerBatch ?? false;
    this.#metadataMaxAgeMs = options.metadataMaxAgeMs ?? 60_000;
    this.#onBatch = options.onBatch;
    this.#onRequest = options.onRequest;
    if (this.#maxBatchBytes < 1) throw new RangeError("maxBatchBytes must be ≥ 1");
    if (this.#lingerMs < 0) throw new RangeError("lingerMs must be ≥ 0");
    const retries = options.retries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new RangeError("retries must be an integer ≥ 0");
    }
    const idempotent = options.idempotent ?? false;
    // kafkajs's idempotent producer keeps sequence numbers per partition and must do its own
    // retries; otherwise this class retries each failed batch (kafkajs retries a request as a
    // whole, with leaders from its own metadata, which would also block the other brokers).
    this.#retries = idempotent ? 0 : retries;
    this.#producer = options.kafka.producer({
      idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: _explicitPartitioner,
      retry: idempotent
        ? { retries: Math.max(1, retries), initialRetryTime: 300, maxRetryTime: 5_000 }
        : { retries: 0 },
    });
    const onProduceRequest = options.onProduceRequest;
    if (onProduceRequest) {
      this.#producer.on(this.#producer.events.REQUEST, ({ payload }) => {
        if (payload.apiName !== "Produce") return;
        const { broker, size, sentAt, duration, pendingDuration } = payload;
        onProduceRequest({ broker, size, sentAt, duration, pendingDuration });
      });
    }
    this.#admin = options.kafka.admin();
  }

  /**
   * Creates a producer and connects it.
   *
   * @throws {RangeError} for a `maxBatchBytes` below 1, a negative `lingerMs` or `retries`
   * @throws the kafkajs connection error when no broker answers
   */
  static async connect(options: BatchingProducerOptions): Promise<BatchingProducer> {
    const p = new BatchingProducer(options);
    await Promise.all([p.#producer.connect(), p.#admin.connect()]);
    return p;
  }

  /**
   * Queues `record` for `topic` and resolves once Kafka acknowledged it.
   *
   * @throws {ProducerClosedError} after {@linkcode BatchingProducer.close}
   * @throws the kafkajs error of the failed batch (after retries), or of the metadata lookup
   *   (e.g. the topic does not exist)
   */
  async send(topic: string, record: ProducerRecord): Promise<RecordPosition> {
    if (this.#closed) throw new ProducerClosedError();
    const partition = await this.#partitionOf(topic, record);
    if (this.#closed) throw new ProducerClosedError();
    return new Promise<RecordPosition>((resolve, reject) => {
      this.#enqueue(topic, partition, { record, bytes: recordBytes(record), resolve, reject });
    });
  }

  /** Sends every queued record now and waits until all batches are settled. */
  async flush(): Promise<void> {
    this.#flushing++;
    try {
      while (true) {
        this.#drain();
        if (this.#requests.size === 0) {
          if (![...this.#queues.values()].some((q) => q.batches.length > 0)) return;
          // Only batches waiting for their retry backoff (the timer drains them): wait a bit.
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        await Promise.race(this.#requests);
      }
    } finally {
      this.#flushing--;
    }
  }

  /** Flushes, then disconnects. Later `send` calls reject with {@linkcode ProducerClosedError}. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flush();
    this.#stopped = true;
    clearTimeout(this.#drainScheduled);
    this.#drainScheduled = undefined;
    this.#setTimer(Infinity);
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }

  /** Same as {@linkcode BatchingProducer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #partitionOf(topic: string, record: ProducerRecord): Promise<number> {
    const partitionMetadata = await this.#partitionsOf(topic);
    const key = record.key instanceof Uint8Array ? _toBuffer(record.key) : record.key ?? null;
    return this.#partitioner({ topic, partitionMetadata, message: { key, value: null } });
  }

  #partitionsOf(topic: string): Promise<_PartitionMetadata> {
    const cached = this.#metadata.get(topic);
    if (cached && Date.now() - cached.at < this.#metadataMaxAgeMs) return cached.partitions;
    return this.#refreshMetadata(topic);
  }

  /** Looks the topic's partitions and leaders up again; on success the drain uses them. */
  #refreshMetadata(topic: string): Promise<_PartitionMetadata> {
    const partitions = this.#admin.fetchTopicMetadata({ topics: [topic] }).then(({ topics }) => {
      const found = topics[0]?.partitions ?? [];
      if (found.length === 0) throw new Error(`Cannot send: topic ${topic} has no partitions`);
      this.#leaders.set(topic, new Map(found.map((p) => [p.partitionId, p.leader])));
      this.#scheduleDrain();
      return found;
    });
    const entry = { at: Date.now(), partitions };
    partitions.catch(() => {
      if (this.#metadata.get(topic) === entry) this.#metadata.delete(topic);
    });
    this.#metadata.set(topic, entry);
    return partitions;
  }

  #enqueue(topic: string, partition: number, item: _Pending): void {
    const id = `${topic}\u0000${partition}`;
    let q = this.#queues.get(id);
    if (!q) {
      q = { topic, partition, batches: [], inFlight: false };
      this.#queues.set(id, q);
    }
    let open = q.batches.at(-1);
    if (open && !open.closed && open.bytes + item.bytes > this.#maxBatchBytes) open.closed = true;
    if (!open || open.closed) {
      open = { items: [], bytes: 0, closed: false, createdAt: Date.now(), attempts: 0, retryAt: 0 };
      q.batches.push(open);
    }
    open.items.push(item);
    open.bytes += item.bytes;
    if (open.bytes >= this.#maxBatchBytes) open.closed = true;
    this.#scheduleDrain();
  }

  /**
   * Drains soon, once the records queued in the same turn are in (a burst of `send` calls fills
   * its batches before the first request leaves).
   */
  #scheduleDrain(): void {
    if (this.#drainScheduled !== undefined || this.#stopped) return;
    this.#drainScheduled = setTimeout(() => {
      this.#drainScheduled = undefined;
      this.#drain();
    }, 0);
  }

  /**
   * For each broker without a request in flight that leads a ready partition (a full batch, a
   * batch that lingered long enough, a flush), sends one request with the head batch of every
   * partition it leads that can send (not in flight, not waiting for a retry). Then sets the
   * timer for the next linger or backoff deadline.
   */
  #drain(): void {
    const now = Date.now();
    const urgent = this.#flushing > 0 || this.#closed;
    const perBroker = new Map<number, { ready: boolean; queues: _PartitionQueue[] }>();
    let wakeAt = Infinity;
    for (const q of this.#queues.values()) {
      const head = q.batches[0];
      if (!head || q.inFlight) continue;
      if (head.retryAt > now) {
        wakeAt = Math.min(wakeAt, head.retryAt);
        continue;
      }
      const broker = this.#leaders.get(q.topic)?.get(q.partition) ?? -1;
      const lingerEnd = head.createdAt + this.#lingerMs;
      const ready = urgent || head.closed || q.batches.length > 1 || lingerEnd <= now;
      if (!ready) wakeAt = Math.min(wakeAt, lingerEnd);
      if (this.#busy.has(broker)) continue;
      let entry = perBroker.get(broker);
      if (!entry) perBroker.set(broker, entry = { ready: false, queues: [] });
      entry.ready ||= ready;
      if (ready && this.#requestPerBatch) entry.queues.unshift(q);
      else entry.queues.push(q);
    }
    for (const [broker, { ready, queues }] of perBroker) {
      if (!ready) continue;
      const taken = (this.#requestPerBatch ? queues.slice(0, 1) : queues).map((q) => {
        const batch = q.batches.shift()!;
        batch.closed = true;
        q.inFlight = true;
        return { q, batch };
      });
      // Partitions left out (requestPerBatch) wait for this request: wake when it ends.
      const request = this.#sendRequest(broker, taken).catch((err) => {
        // A bug while building the request: its records fail rather than wait forever.
        this.#log.error("produce request failed", { error: err });
        for (const { batch } of taken) for (const item of batch.items) item.reject(err);
      }).finally(() => {
        this.#requests.delete(request);
        this.#busy.delete(broker);
        for (const { q } of taken) q.inFlight = false;
        // The next round leaves at once: what queued meanwhile is in already.
        if (!this.#stopped) this.#drain();
      });
      this.#busy.add(broker);
      this.#requests.add(request);
    }
    this.#setTimer(wakeAt);
  }

  #setTimer(at: number): void {
    if (this.#stopped) at = Infinity;
    if (this.#timer && this.#timer.at <= at && at !== Infinity) return;
    if (this.#timer) clearTimeout(this.#timer.id);
    this.#timer = undefined;
    if (at === Infinity) return;
    const id = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, Math.max(0, at - Date.now()));
    this.#timer = { at, id };
  }

  async #sendRequest(broker: number, taken: { q: _PartitionQueue; batch: _Batch }[]) {
    const perTopic = new Map<string, Message[]>();
    for (const { q, batch } of taken) {
      let messages = perTopic.get(q.topic);
      if (!messages) perTopic.set(q.topic, messages = []);
      for (const { record } of batch.items) {
        messages.push({
          partition: q.partition,
          key: record.key instanceof Uint8Array ? _toBuffer(record.key) : record.key ?? null,
          value: record.value instanceof Uint8Array ? _toBuffer(record.value) : record.value,
          ...(record.headers ? { headers: _headers(record.headers) } : {}),
        });
      }
    }
    const topicMessages: TopicMessages[] = [...perTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    let error: unknown;
    const offsets = new Map<string, string>();
    /** Partitions of a failed request that the broker refused, with their own error. */
    const refused = new Map<string, unknown>();
    try {
      const results = await this.#producer.sendBatch({
        topicMessages,
        acks: -1,
        timeout: this.#ackTimeoutMs,
        compression: CompressionTypes.GZIP,
      });
      for (const r of results) {
        offsets.set(`${r.topicName}\u0000${r.partition}`, r.baseOffset ?? r.offset ?? "-1");
      }
    } catch (err) {
      error = err;
      // kafkajs fails the whole request for one partition's error; the broker's answer for each
      // partition tells which batches it stored (those are acked, not sent again).
      for (const r of _partitionResultsOf(err)) {
        const id = `${r.topicName}\u0000${r.partition}`;
        if (r.errorCode === 0) offsets.set(id, r.baseOffset ?? r.offset ?? "-1");
        else refused.set(id, createErrorFromCode(r.errorCode));
      }
    }
    const acked: BatchReport[] = [];
    for (const { q, batch } of taken) {
      const { topic, partition } = q;
      const baseOffset = offsets.get(`${topic}\u0000${partition}`);
      if (baseOffset !== undefined && baseOffset !== "-1") {
        const base = BigInt(baseOffset);
        batch.items.forEach((item, i) =>
          item.resolve({ topic, partition, offset: (base + BigInt(i)).toString() })
        );
        const report = {
          topic,
          partition,
          count: batch.items.length,
          bytes: batch.bytes,
          baseOffset,
        };
        acked.push(report);
        if (this.#onBatch) this.#report(this.#onBatch, report);
      } else {
        // A refused partition fails with its own error, retriable or not as kafkajs rates it.
        const own = refused.get(`${topic}\u0000${partition}`);
        this.#failed(
          q,
          batch,
          own ?? error ?? new Error(
            `No acknowledgement for ${topic}/${partition}: the producer's metadata does not know the partition`,
          ),
        );
      }
    }
    if (error !== undefined) {
      for (const topic of perTopic.keys()) void this.#refreshMetadata(topic).catch(() => {});
    }
    if (acked.length > 0 && this.#onRequest) {
      this.#report(this.#onRequest, { broker, batches: acked });
    }
  }

  /** Calls a report callback; its error is logged, never left to break the bookkeeping. */
  #report<T>(callback: (report: T) => void, report: T): void {
    try {
      callback(report);
    } catch (err) {
      this.#log.error("report callback failed", { error: err });
    }
  }

  /** Puts a failed batch back at the head of its queue for a retry, or rejects its records. */
  #failed(q: _PartitionQueue, batch: _Batch, err: unknown): void {
    batch.attempts++;
    const retriable = _retriable(err);
    const context = {
      topic: q.topic,
      partition: q.partition,
      records: batch.items.length,
      attempt: batch.attempts,
      error: err,
    };
    if (retriable && batch.attempts <= this.#retries) {
      this.#log.warn("batch failed, retrying", context);
      const backoff = Math.min(_RETRY_INITIAL_MS * 2 ** (batch.attempts - 1), _RETRY_MAX_MS);
      batch.retryAt = Date.now() + backoff * (0.8 + Math.random() * 0.4);
      q.batches.unshift(batch);
      return;
    }
    this.#log.error("batch failed", context);
    for (const item of batch.items) item.reject(err);
  }
}

/** Where {@linkcode _keepPartitionResults} puts the decoded produce response on kafkajs's error. */
const _RESULTS = Symbol.for("tickerwatch.produceResponse");

interface _PartitionResult {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
  offset?: string;
}

type _ResponseModule = { parse: (data: unknown) => Promise<unknown> };

/**
 * kafkajs's produce response parser throws the first partition's error and drops the answers of
 * the others, so a request that failed for one partition looks failed for all, and sending its
 * batches again would store the others twice. Each parser (one module per protocol version) is
 * wrapped once, process-wide, to attach the decoded answer to the error it throws; nothing else
 * changes (the same error is thrown, kafkajs's metadata refresh and retry logic see it as
 * before). Tested in tests/kafka/producer_requests_test.ts.
 */
function _keepPartitionResults(): void {
  const modules = [
    produceV0,
    produceV1,
    produceV2,
    produceV3,
    produceV4,
    produceV5,
    produceV6,
    produceV7,
  ] as _ResponseModule[];
  for (const mod of modules) {
    const parse = mod.parse;
    if ((parse as { [_RESULTS]?: boolean })[_RESULTS]) continue;
    const wrapped = async (data: unknown) => {
      try {
        return await parse(data);
      } catch (err) {
        if (err && typeof err === "object") (err as Record<symbol, unknown>)[_RESULTS] = data;
        throw err;
      }
    };
    (wrapped as { [_RESULTS]?: boolean })[_RESULTS] = true;
    mod.parse = wrapped;
  }
}
_keepPartitionResults();

/** The per-partition answers attached to a kafkajs error (or its causes), if any. */
function _partitionResultsOf(err: unknown): _PartitionResult[] {
  let e = err;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const data = (e as Record<symbol, unknown>)[_RESULTS] as
      | { topics?: { topicName: string; partitions: Omit<_PartitionResult, "topicName">[] }[] }
      | undefined;
    if (data?.topics) {
      return data.topics.flatMap((t) =>
        t.partitions.map((p) => ({ ...p, topicName: t.topicName }))
      );
    }
    e = (e as { cause?: unknown }).cause;
  }
  return [];
}

/** The error kafkajs's send path takes for stale metadata: it refreshes before failing. */
class _StaleMetadataError extends Error {
  override name = "KafkaJSMetadataNotLoaded";
  readonly retriable = true;
}

/**
 * The kafkajs partitioner: every message carries the partition this class chose. A partition
 * missing from kafkajs's own metadata (added since its last refresh) would be left out of the
 * request without an error, so it fails the request as stale metadata, which makes kafkajs
 * refresh it.
 */
function _explicitPartitioner() {
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    const partition = message.partition ?? -1;
    if (!partitionMetadata.some((p) => p.partitionId === partition)) {
      throw new _StaleMetadataError(`No metadata for ${topic}/${partition} yet`);
    }
    return partition;
  };
}

/** Whether kafkajs's error (retries off: its retriable errors come wrapped) may be retried. */
function _retriable(err: unknown): boolean {
  const e = err as { name?: string; retriable?: boolean } | undefined;
  if (!e || typeof e !== "object") return false;
  if (e.name === "KafkaJSNumberOfRetriesExceeded") return true;
  if (e.name === "KafkaJSNonRetriableError" || e.retriable === false) return false;
  return !["RangeError", "ReferenceError", "SyntaxError", "TypeError"].includes(e.name ?? "");
}

function _toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function _headers(h: Record<string, string | Uint8Array>): Record<string, string | Buffer> {
  return Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k, typeof v === "string" ? v : _toBuffer(v)]),
  );
}
