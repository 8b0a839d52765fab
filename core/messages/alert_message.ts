/** Conversions between the domain's {@linkcode Alert} and its `to-notifier` message. */
import type { Alert } from "../domain/alert.ts";
import { type AlertMessage, MESSAGE_VERSION } from "./messages.ts";

/**
 * The `to-notifier` message of `alert`, in the original's field names (the wire contract; the
 * notifier reads it back with {@linkcode alertFromMessage}).
 *
 * @example
 * ```ts
 * alertMessageOf(alertOf(update.cycle_id, crossing)).threshold_type; // "HIGH" or "LOW"
 * ```
 */
export function alertMessageOf(alert: Alert): AlertMessage {
  const message: AlertMessage = {
    version: MESSAGE_VERSION,
    alert_id: alert.alertId,
    email: alert.email,
    ticker: alert.ticker,
    threshold_value: alert.thresholdValue,
    threshold_type: alert.thresholdType,
    value_ticker: alert.price,
    timestamp: alert.at.toISOString(),
  };
  if (alert.currency !== undefined) message.currency = alert.currency;
  return message;
}

/**
 * The {@linkcode Alert} a `to-notifier` message carries: the one value the notifier's dedup
 * checks, sent-alert record and email all read.
 *
 * @example
 * ```ts
 * alertFromMessage(message).at; // the Date of message.timestamp
 * ```
 */
export function alertFromMessage(message: AlertMessage): Alert {
  const alert: Alert = {
    alertId: message.alert_id,
    email: message.email,
    ticker: message.ticker,
    thresholdType: message.threshold_type,
    thresholdValue: message.threshold_value,
    price: message.value_ticker,
    at: new Date(message.timestamp),
  };
  return message.currency === undefined ? alert : { ...alert, currency: message.currency };
}
