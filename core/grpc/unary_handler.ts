import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../log/logger.ts";
import { toGrpcError } from "./grpc_errors.ts";
import type { GrpcMetrics } from "./grpc_metrics.ts";

/** What a handler's work ends with: a response, or a status with its message. */
export type UnaryResult =
  | { readonly response: Record<string, unknown> }
  | { readonly status: grpc.status; readonly details: string };

/**
 * Wraps `run` as a grpc-js unary handler: its result becomes the response or status, a thrown
 * error is mapped by {@linkcode toGrpcError}, and every call is observed by `metrics`. `run` also
 * gets the call's metadata (e.g. `accept-language`).
 */
export function unaryHandler<Req>(
  method: string,
  run: (request: Req, metadata: grpc.Metadata) => Promise<UnaryResult>,
  { logger, metrics }: { logger: Logger; metrics?: GrpcMetrics | undefined },
): grpc.handleUnaryCall<Req, Record<string, unknown>> {
  return async (call, callback) => {
    const started = performance.now();
    let code: grpc.status = grpc.status.OK;
    try {
      const result = await run(call.request, call.metadata);
      if ("status" in result) {
        code = result.status;
        callback({ code, details: result.details });
      } else {
        callback(null, result.response);
      }
    } catch (err) {
      const error = toGrpcError(err, logger, method);
      code = error.code;
      callback(error);
    } finally {
      metrics?.observe(method, code, performance.now() - started);
    }
  };
}
