/**
 * Producer throughput against the local cluster: BatchingProducer with acks=all, gzip and
 * 500-byte batches, over N messages (default 20000) of about 100 bytes to a fresh RF-3 topic.
 *
 * Usage: deno run -A scripts/bench_producer.ts [messages] [partitions]
 * Env: KAFKA_BROKERS (default the local cluster).
 */
import { BatchingProducer, createKafkaClient, silentLogger } from "../core/mod.ts";
import { DEFAULT_KAFKA_BROKERS } from "../core/config/common_config.ts";

const count = Number(Deno.args[0] ?? 20_000);
const partitions = Number(Deno.args[1] ?? 3);
const brokers = (Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS).split(",");
const kafka = createKafkaClient({ brokers, clientId: "bench", logger: silentLogger });
const admin = kafka.admin();
await admin.connect();
const topic = `bench-${crypto.randomUUID().slice(0, 8)}`;
await admin.createTopics({
  topics: [{
    topic,
    numPartitions: partitions,
    replicationFactor: 3,
    configEntries: [{ name: "min.insync.replicas", value: "2" }],
  }],
  waitForLeaders: true,
});

let batches = 0;
let batchBytes = 0;
let maxBytes = 0;
const producer = await BatchingProducer.connect({
  kafka,
  onBatch: (r) => {
    batches++;
    batchBytes += r.bytes;
    maxBytes = Math.max(maxBytes, r.bytes);
  },
});
const keys = ["AAPL", "BRK-B", "EURUSD=X", "BTC-USD", "MSFT", "GOOG", "TSLA", "NVDA"];
const t0 = performance.now();
const sends: Promise<unknown>[] = [];
for (let i = 0; i < count; i++) {
  const key = `user${i % 97}@example.com`;
  const value = JSON.stringify({
    version: 1,
    ticker: keys[i % keys.length],
    price: 100 + (i % 1000) / 10,
    threshold: "high",
    at: new Date().toISOString(),
  });
  sends.push(producer.send(topic, { key, value }));
}
await Promise.all(sends);
const seconds = (performance.now() - t0) / 1000;
await producer.close();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
console.log(JSON.stringify({
  messages: count,
  partitions,
  seconds: Number(seconds.toFixed(2)),
  messagesPerSecond: Math.round(count / seconds),
  batches,
  avgBatchBytes: Math.round(batchBytes / batches),
  maxBatchBytes: maxBytes,
  avgRecordsPerBatch: Number((count / batches).toFixed(2)),
}));
Deno.exit(0);
