/** How the demo and the doctor print pre-flight results. */
import type { CheckResult } from "./preflight.ts";

/** The database the demo uses when MYSQL_URL is not set. */
export const DEFAULT_DEMO_MYSQL_URL = "mysql://root@127.0.0.1:3306/tickerwatch_demo";

/**
 * Prints the failed checks to stderr, one line each (with `all`, every check to stdout);
 * returns how many failed.
 */
export function printChecks(results: readonly CheckResult[], { all = false } = {}): number {
  for (const r of results) {
    if (all) console.log(`  ${r.ok ? "✓" : "✗"} ${r.line}`);
    else if (!r.ok) console.error(`  ✗ ${r.line}`);
  }
  return results.filter((r) => !r.ok).length;
}
