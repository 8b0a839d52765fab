import type * as grpc from "@grpc/grpc-js";
import type { Logger } from "../log/logger.ts";
import type { QueryService } from "../queries/query_service.ts";
import { unaryHandler } from "./unary_handler.ts";
import type { GrpcMetrics } from "./grpc_metrics.ts";

interface _Request {
  email?: string;
  count?: number;
}

/** The UserQueryService implementation over a {@linkcode QueryService}. */
export function queryHandlers(
  service: QueryService,
  logger: Logger,
  metrics?: GrpcMetrics,
): grpc.UntypedServiceImplementation {
  const unary = (method: string, run: (req: _Request) => Promise<Record<string, unknown>>) =>
    unaryHandler<_Request>(method, async (request) => ({ response: await run(request) }), {
      logger,
      metrics,
    });
  return {
    GetLatestValue: unary("GetLatestValue", async (r) => {
      const v = await service.latest({ email: r.email });
      return {
        email: v.email,
        ticker: v.ticker,
        value: v.value,
        timestamp: v.at.toISOString(),
        currency: v.currency ?? "",
      };
    }),
    GetAverageValue: unary("GetAverageValue", async (r) => {
      const v = await service.average({ email: r.email, count: r.count });
      return {
        email: v.email,
        ticker: v.ticker,
        average_value: v.average,
        values_count: v.count,
        currency: v.currency ?? "",
      };
    }),
  };
}
