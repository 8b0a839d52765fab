import type { GrpcServer } from "../grpc/grpc_server.ts";
import type { Logger } from "../log/logger.ts";
import type { MysqlDatabase } from "../mysql/mysql_database.ts";

/**
 * Pings the database every `intervalMs` and reports SERVING / NOT_SERVING on the gRPC health
 * service, logging each change; `serving` is the last answer (for `/healthz`).
 */
export function watchDatabaseHealth(
  db: MysqlDatabase,
  server: GrpcServer,
  logger: Logger,
  intervalMs = 5_000,
): { stop(): void; readonly serving: boolean } {
  let serving = true;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const ok = await db.ping().then(() => true, () => false);
    busy = false;
    if (ok === serving) return;
    serving = ok;
    server.setServing(ok);
    if (ok) logger.info("database reachable again, serving");
    else logger.warn("database unreachable, health is NOT_SERVING");
  }, intervalMs);
  return {
    stop: () => clearInterval(timer),
    get serving() {
      return serving;
    },
  };
}
