/**
 * Where the collector records which followed symbols the price source does not know (the port;
 * MySQL implements it), so a query can say "unknown ticker" instead of "no quotes yet".
 */
export interface UnknownTickers {
  /**
   * Marks `unknown` symbols as unknown and clears the mark of `known` ones (a symbol may be
   * listed later). Both upper-case.
   */
  record(unknown: readonly string[], known: readonly string[]): Promise<void>;
}
