import { TOPIC_TO_NOTIFIER } from "../messages/topics.ts";
import type { Logger } from "../log/logger.ts";
import type { RecordPublisher } from "../messages/record_publisher.ts";
import type { PriceUpdate } from "../messages/messages.ts";
import { alertMessageOf } from "../messages/alert_message.ts";
import { alertOf } from "../domain/alert.ts";
import type { ThresholdEvaluator } from "./threshold_evaluator.ts";

/** What one update did. */
export interface UpdateReport {
  /** The collector cycle the update came from (its `cycle_id`). */
  readonly cycleId: string;
  /** Quotes in the update. */
  readonly quotes: number;
  /** Alerts published to `to-notifier`, one per crossing. */
  readonly alerts: number;
  /** Thresholds that fired or re-armed (0 when no state changed). */
  readonly transitions: number;
  /** Time spent handling the update, in milliseconds (rounded). */
  readonly millis: number;
  /** Of `millis`: evaluating the thresholds (the set-based query), ms. */
  readonly evaluateMillis: number;
  /** Of `millis`: publishing the alerts until Kafka acknowledged the last one, ms. */
  readonly publishMillis: number;
  /** Of `millis`: storing the new threshold state, ms. */
  readonly storeMillis: number;
}

/**
 * Turns a cycle's quotes into alerts: evaluates every threshold of the cycle's tickers in one
 * set-based query, gives each crossing its deterministic id ({@linkcode alertOf}), publishes one
 * `to-notifier` message per crossing (key = e-mail), waits until Kafka acknowledged all of them,
 * and only then stores the new threshold state. The caller commits the input offset after this
 * resolves.
 */
export class AlertSystem {
  readonly #evaluator: ThresholdEvaluator;
  readonly #publisher: RecordPublisher;
  readonly #logger: Logger;
  readonly #topic: string;

  /**
   * Takes the threshold evaluator (the port MySQL implements), the publisher of alert messages,
   * a logger, and the output topic (default `to-notifier`).
   */
  constructor(
    { evaluator, publisher, logger, topic = TOPIC_TO_NOTIFIER }: {
      evaluator: ThresholdEvaluator;
      publisher: RecordPublisher;
      logger: Logger;
      /** Default `to-notifier`. */
      topic?: string;
    },
  ) {
    this.#evaluator = evaluator;
    this.#publisher = publisher;
    this.#logger = logger;
    this.#topic = topic;
  }

  /** Handles one `update` message. Throws (and stores nothing) when publishing fails. */
  async handleUpdate(update: PriceUpdate): Promise<UpdateReport> {
    const started = performance.now();
    const quotes = update.quotes.map((q) => ({
      ticker: q.ticker,
      price: q.price,
      at: new Date(q.at),
    }));
    const evaluation = await this.#evaluator.evaluate(quotes);
    const evaluated = performance.now();
    const currencies = new Map(update.quotes.map((q) => [q.ticker, q.currency]));
    const messages = evaluation.crossings.map((c) => {
      const currency = currencies.get(c.ticker);
      return alertMessageOf(alertOf(update.cycle_id, currency ? { ...c, currency } : c));
    });
    await Promise.all(
      messages.map((message) =>
        this.#publisher.send(this.#topic, { key: message.email, value: JSON.stringify(message) })
      ),
    );
    const published = performance.now();
    await evaluation.commit();
    const stored = performance.now();
    const report = {
      cycleId: update.cycle_id,
      quotes: quotes.length,
      alerts: messages.length,
      transitions: evaluation.transitions,
      millis: Math.round(stored - started),
      evaluateMillis: Math.round(evaluated - started),
      publishMillis: Math.round(published - evaluated),
      storeMillis: Math.round(stored - published),
    };
    this.#logger.info("update evaluated", { ...report });
    return report;
  }
}
