/**
 * Process helpers for tests: see scripts/service_process.ts. Here a service's metrics endpoint
 * defaults to a free loopback port, so tests never collide on the default METRICS_ADDR ports.
 */
import {
  entry,
  runToEnd as _runToEnd,
  ServiceProcess as _ServiceProcess,
} from "../../scripts/service_process.ts";

export { entry };

/**
 * {@linkcode _ServiceProcess} with METRICS_ADDR=127.0.0.1:0, PUBLIC_HTTP_ADDR=off and
 * REQUIRE_CONFIRMATION=off unless `env` sets them.
 */
export class ServiceProcess extends _ServiceProcess {
  constructor(name: string, env: Record<string, string>, args: string[] = []) {
    super(name, {
      METRICS_ADDR: "127.0.0.1:0",
      PUBLIC_HTTP_ADDR: "off",
      REQUIRE_CONFIRMATION: "off",
      ...env,
    }, args);
  }

  /** The port of `/metrics` and `/healthz`, read from the "metrics server listening" line. */
  async metricsPort(): Promise<number> {
    const line = await this.waitForLine(/metrics server listening/);
    return JSON.parse(line).port;
  }
}

/** Runs an executable to completion, with METRICS_ADDR=127.0.0.1:0 unless `env` sets it. */
export function runToEnd(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): ReturnType<typeof _runToEnd> {
  return _runToEnd(name, { METRICS_ADDR: "127.0.0.1:0", ...env }, args);
}
