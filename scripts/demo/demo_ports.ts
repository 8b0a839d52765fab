/**
 * The fixed local ports the demo uses unless `--ephemeral-ports` is given: gRPC, metrics and the
 * SMTP catcher (the notifier's default SMTP_URL is smtp://127.0.0.1:2525).
 */

/** One fixed port of the demo and what listens on it. */
export interface DemoPort {
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** What the demo runs there, in words. */
  readonly what: string;
}

/** The demo's fixed ports, by role. */
export const DEMO_PORTS = {
  commandGrpc: { port: 50051, what: "command server gRPC" },
  queryGrpc: { port: 50052, what: "query server gRPC" },
  commandMetrics: { port: 9101, what: "command server metrics" },
  queryMetrics: { port: 9102, what: "query server metrics" },
  collectorMetrics: { port: 9103, what: "collector metrics" },
  alertSystemMetrics: { port: 9104, what: "alert system metrics" },
  notifierMetrics: { port: 9105, what: "notifier metrics" },
  smtpCatcher: { port: 2525, what: "SMTP catcher" },
  commandPublic: { port: 8080, what: "command server links (confirm, unsubscribe)" },
} as const satisfies Record<string, DemoPort>;
