import { z } from "zod";

/** Version of the JSON messages this code writes; readers accept exactly this version. */
export const MESSAGE_VERSION = 1;

const _isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time");
const _price = z.number().finite().positive();
const _ticker = z.string().min(1).max(20);

/** One quote inside a {@linkcode PriceUpdate}. */
export const QuoteMessageSchema = z.object({
  ticker: _ticker,
  price: _price,
  at: _isoDate,
});

/**
 * The collector's message on `to-alert-system` (key "update"): the quotes of one cycle.
 * `cycle_id` makes alert ids deterministic, so a redelivered update yields the same alerts.
 */
export const PriceUpdateSchema = z.object({
  version: z.literal(MESSAGE_VERSION),
  cycle_id: z.string().min(1).max(64),
  collected_at: _isoDate,
  quotes: z.array(QuoteMessageSchema),
});

/** A validated `to-alert-system` message. */
export type PriceUpdate = z.infer<typeof PriceUpdateSchema>;

/**
 * The alert system's message on `to-notifier` (key = e-mail): one crossed threshold. Field
 * names of the original system (email, ticker, threshold_value, threshold_type, value_ticker)
 * plus `alert_id` (the notifier's idempotency key) and `timestamp` (time of the price).
 */
export const AlertMessageSchema = z.object({
  version: z.literal(MESSAGE_VERSION),
  alert_id: z.string().min(1).max(64),
  email: z.string().min(3).max(254),
  ticker: _ticker,
  threshold_value: _price,
  threshold_type: z.enum(["HIGH", "LOW"]),
  value_ticker: _price,
  timestamp: _isoDate,
});

/** A validated `to-notifier` message. */
export type AlertMessage = z.infer<typeof AlertMessageSchema>;
