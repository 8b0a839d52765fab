import * as grpc from "@grpc/grpc-js";
import type { CommandService } from "../commands/command_service.ts";
import { type CommandAnswer, commandReplyText } from "../commands/command_reply.ts";
import { DEFAULT_LANGUAGE, type Language } from "../domain/language.ts";
import type { Logger } from "../log/logger.ts";
import { outcomeStatus } from "./grpc_errors.ts";
import { type PeerRateLimiter, rateLimitedByPeer } from "./peer_rate_limiter.ts";
import { callLanguage } from "./reply_language.ts";
import { unaryHandler } from "./unary_handler.ts";
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
  new_email?: string;
}

type _Handler = grpc.handleUnaryCall<_Request, Record<string, unknown>>;

/**
 * The UserCommandService implementation over a {@linkcode CommandService}. A stored outcome
 * that is not OK (ALREADY_EXISTS, NOT_FOUND) is returned as that status with its message, the
 * same on every replay. Reply texts are in the call's `accept-language` when it names a
 * supported language, else in `language` (default English). With `registerLimiter`, RegisterUser
 * calls are limited per peer address (RESOURCE_EXHAUSTED with a `retry-after` past the limit).
 */
export function commandHandlers(
  service: CommandService,
  logger: Logger,
  metrics?: GrpcMetrics,
  language: Language = DEFAULT_LANGUAGE,
  registerLimiter?: PeerRateLimiter,
): grpc.UntypedServiceImplementation {
  const unary = (method: string, run: (req: _Request) => Promise<CommandAnswer>): _Handler =>
    unaryHandler<_Request>(method, async (request, metadata) => {
      const { outcome, replayed, reply } = await run(request);
      logger.debug("command", { method, code: outcome.code, replayed });
      const message = commandReplyText(reply, callLanguage(metadata, language));
      const status = outcomeStatus(outcome.code);
      if (status !== grpc.status.OK) return { status, details: message };
      const response: Record<string, unknown> = { message };
      if (outcome.success !== undefined) response.success = outcome.success;
      return { response };
    }, { logger, metrics });
  const register = unary("RegisterUser", (r) =>
    service.register({
      email: r.email,
      ticker: r.ticker,
      requestId: r.request_id,
      highValue: r.high_value,
      lowValue: r.low_value,
    }));
  return {
    RegisterUser: registerLimiter
      ? rateLimitedByPeer(register, { limiter: registerLimiter, method: "RegisterUser", metrics })
      : register,
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
        newEmail: r.new_email,
      })),
    DeleteUser: unary(
      "DeleteUser",
      (r) => service.delete({ email: r.email, requestId: r.request_id }),
    ),
  };
}
