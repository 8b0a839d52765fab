import type { Ticker } from "../domain/ticker.ts";

/**
 * Which symbols the price source knows (the port the command service checks tickers against;
 * the Yahoo adapter implements it).
 */
export interface TickerDirectory {
  /**
   * True when the source knows `ticker` (it can price it), false when it does not.
   *
   * @throws {Error} when the source cannot answer (unreachable, timeout, error status)
   */
  isKnown(ticker: Ticker): Promise<boolean>;
}
