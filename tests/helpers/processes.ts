/** Process helpers for tests: see scripts/service_process.ts. */
export { entry, runToEnd, ServiceProcess } from "../../scripts/service_process.ts";
