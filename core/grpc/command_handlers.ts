import * as grpc from "@grpc/grpc-js";
import type { CommandService } from "../commands/command_service.ts";
import type { CommandResult } from "../commands/outcome.ts";
import type { Logger } from "../log/logger.ts";
import { outcomeStatus, toGrpcError } from "./grpc_errors.ts";
import type { GrpcMetrics } from "./grpc_metrics.ts";

// Field names as in protos/user_service.proto (keepCase).
interface _Request {
  email?: string;
  ticker?: string;
  request_id?: string;
  high_value?: number;
  low_value?: number;
  clear_high_value?: boolean;
  clear_low_value?: boolean;
}

type _Handler = grpc.handleUnaryCall<_Request, Record<string, unknown>>;

/**
 * The UserCommandService implementation over a {@linkcode CommandService}. A stored outcome
 * that is not OK (ALREADY_EXISTS, NOT_FOUND) is returned as that status with its message, the
 * same on every replay.
 */
export function commandHandlers(
  service: CommandService,
  logger: Logger,
  metrics?: GrpcMetrics,
): grpc.UntypedServiceImplementation {
  const unary =
    (method: string, run: (req: _Request) => Promise<CommandResult>): _Handler =>
    async (call, callback) => {
      const started = performance.now();
      let code: grpc.status = grpc.status.OK;
      try {
        const { outcome, replayed } = await run(call.request);
        code = outcomeStatus(outcome.code);
        logger.debug("command", { method, code: outcome.code, replayed });
        if (code !== grpc.status.OK) {
          callback({ code, details: outcome.message });
          return;
        }
        const response: Record<string, unknown> = { message: outcome.message };
        if (outcome.success !== undefined) response.success = outcome.success;
        callback(null, response);
      } catch (err) {
        const error = toGrpcError(err, logger, method);
        code = error.code;
        callback(error);
      } finally {
        metrics?.observe(method, code, performance.now() - started);
      }
    };
  return {
    RegisterUser: unary("RegisterUser", (r) =>
      service.register({
        email: r.email,
        ticker: r.ticker,
        requestId: r.request_id,
        highValue: r.high_value,
        lowValue: r.low_value,
      })),
    LoginUser: unary(
      "LoginUser",
      (r) => service.login({ email: r.email, requestId: r.request_id }),
    ),
    UpdateUser: unary("UpdateUser", (r) =>
      service.update({
        email: r.email,
        ticker: r.ticker,
        requestId: r.request_id,
        highValue: r.high_value,
        lowValue: r.low_value,
        clearHigh: r.clear_high_value,
        clearLow: r.clear_low_value,
      })),
    DeleteUser: unary(
      "DeleteUser",
      (r) => service.delete({ email: r.email, requestId: r.request_id }),
    ),
  };
}
