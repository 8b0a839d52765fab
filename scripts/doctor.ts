/**
 * `deno task doctor`: the demo's pre-flight checks on their own, one line each, so a new machine
 * can be fixed before anything starts. Exits 1 when a check fails.
 *
 *   deno task doctor [--start-mysql] [--ephemeral-ports]
 *
 * --start-mysql      start an installed MariaDB/MySQL that is not running, as .ci/run does
 * --ephemeral-ports  skip the fixed ports (the demo then takes free ones)
 *
 * Environment: MYSQL_URL (default mysql://root@127.0.0.1:3306/tickerwatch_demo), KAFKA_BROKERS.
 */
import { parseArgs } from "node:util";
import { DEMO_PORTS } from "./demo/demo_ports.ts";
import { DEFAULT_DEMO_MYSQL_URL, printChecks } from "./demo/print_checks.ts";
import { preflight } from "./demo/preflight.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    "start-mysql": { type: "boolean", default: false },
    "ephemeral-ports": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("usage: deno task doctor [--start-mysql] [--ephemeral-ports]");
  Deno.exit(0);
}
const env = Deno.env.toObject();
const results = await preflight({
  env,
  mysqlUrl: env.MYSQL_URL ?? DEFAULT_DEMO_MYSQL_URL,
  ports: flags["ephemeral-ports"] ? [] : Object.values(DEMO_PORTS),
  startMysql: flags["start-mysql"],
  say: (line) => console.log(`… ${line}`),
});
const failed = printChecks(results, { all: true });
console.log(failed === 0 ? "\nready: `deno task demo`" : `\n${failed} check(s) failed`);
Deno.exit(failed === 0 ? 0 : 1);
