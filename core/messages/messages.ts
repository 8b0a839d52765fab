import type { ThresholdType } from "../domain/threshold_type.ts";
import {
  arrayOf,
  type Check,
  literal,
  object,
  oneOf,
  optional,
  positiveNumber,
  schemaOf,
  string,
} from "./message_checks.ts";
import type { MessageSchema } from "./message_schema.ts";
import { MESSAGE_VERSION } from "./message_version.ts";

export { MESSAGE_VERSION };

const _isoDate = string({
  refine: { test: (s) => !Number.isNaN(Date.parse(s)), message: "must be an ISO-8601 time" },
});
const _price = positiveNumber();
const _ticker = string({ min: 1, max: 20 });
const _currency = string({ min: 1, max: 12 });

/** One quote inside a {@linkcode PriceUpdate}. */
export interface QuoteMessage {
  /** Ticker symbol, 1 to 20 characters, e.g. "AAPL". */
  ticker: string;
  /** Price, finite and positive. */
  price: number;
  /** Time of the price, ISO-8601. */
  at: string;
  /** The price's currency as the source spells it ("USD", "GBp"), 1 to 12 characters; optional. */
  currency?: string | undefined;
  /** The exchange's time of the price, ISO-8601, when the source reports one; optional. */
  market_time?: string | undefined;
}

const _quoteMessage: Check<QuoteMessage> = object<QuoteMessage>({
  ticker: _ticker,
  price: _price,
  at: _isoDate,
  currency: optional(_currency),
  market_time: optional(_isoDate),
});

/** Schema of a {@linkcode QuoteMessage}. */
export const QuoteMessageSchema: MessageSchema<QuoteMessage> = schemaOf(_quoteMessage);

/**
 * The collector's message on `to-alert-system` (key "update"): the quotes of one cycle.
 * `cycle_id` makes alert ids deterministic, so a redelivered update yields the same alerts.
 */
export interface PriceUpdate {
  /** Always {@linkcode MESSAGE_VERSION}. */
  version: typeof MESSAGE_VERSION;
  /** Id of the collector cycle, 1 to 64 characters (a UUID). */
  cycle_id: string;
  /** When the cycle collected the quotes, ISO-8601. */
  collected_at: string;
  /** The cycle's quotes (the collector sends one per ticker). */
  quotes: QuoteMessage[];
}

/** Schema of a `to-alert-system` message: validates a {@linkcode PriceUpdate}. */
export const PriceUpdateSchema: MessageSchema<PriceUpdate> = schemaOf(
  object<PriceUpdate>({
    version: literal(MESSAGE_VERSION),
    cycle_id: string({ min: 1, max: 64 }),
    collected_at: _isoDate,
    quotes: arrayOf(_quoteMessage),
  }),
);

/**
 * The alert system's message on `to-notifier` (key = e-mail): one crossed threshold. Field
 * names of the original system (email, ticker, threshold_value, threshold_type, value_ticker)
 * plus `alert_id` (the notifier's idempotency key) and `timestamp` (time of the price).
 */
export interface AlertMessage {
  /** Always {@linkcode MESSAGE_VERSION}. */
  version: typeof MESSAGE_VERSION;
  /** Deterministic id of the alert, 1 to 64 characters: the notifier's idempotency key. */
  alert_id: string;
  /** The user's e-mail address (also the record's key). */
  email: string;
  /** Ticker symbol, 1 to 20 characters. */
  ticker: string;
  /** The threshold that was crossed. */
  threshold_value: number;
  /** Which bound was crossed. */
  threshold_type: ThresholdType;
  /** The price that crossed it. */
  value_ticker: number;
  /** Time of the price, ISO-8601. */
  timestamp: string;
  /** Currency of `threshold_value` and `value_ticker` ("USD", "GBp"), when known; optional. */
  currency?: string | undefined;
}

/** Schema of a `to-notifier` message: validates an {@linkcode AlertMessage}. */
export const AlertMessageSchema: MessageSchema<AlertMessage> = schemaOf(
  object<AlertMessage>({
    version: literal(MESSAGE_VERSION),
    alert_id: string({ min: 1, max: 64 }),
    email: string({ min: 3, max: 254 }),
    ticker: _ticker,
    threshold_value: _price,
    threshold_type: oneOf(["HIGH", "LOW"]),
    value_ticker: _price,
    timestamp: _isoDate,
    currency: optional(_currency),
  }),
);
