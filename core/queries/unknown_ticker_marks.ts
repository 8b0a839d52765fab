import type { Ticker } from "../domain/ticker.ts";

/** Which followed symbols the collector found unknown to the price source (the port). */
export interface UnknownTickerMarks {
  /** True when the collector marked `ticker` as unknown to the price source. */
  isUnknown(ticker: Ticker): Promise<boolean>;
}
