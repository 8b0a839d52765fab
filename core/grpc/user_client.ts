import * as grpc from "@grpc/grpc-js";
import { retry } from "../runtime/retry.ts";
import { grpcClientCredentials, type GrpcClientTlsFiles } from "./grpc_tls.ts";
import { loadUserServiceProto } from "./user_service_proto.ts";

/**
 * gRPC status codes a {@linkcode UserClient} retries, UNAVAILABLE (14) and DEADLINE_EXCEEDED
 * (4): the call may not have reached the service.
 */
export const RETRIABLE_CODES: readonly number[] = [
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
];

/** Options of {@linkcode UserClient}. */
export interface UserClientOptions {
  /** `host:port` of the UserCommandService. */
  commandAddr: string;
  /** `host:port` of the UserQueryService. */
  queryAddr: string;
  /** Deadline of each attempt in ms (default 5,000). */
  timeoutMs?: number;
  /** Retries after the first attempt on UNAVAILABLE and DEADLINE_EXCEEDED (default 5). */
  retries?: number;
  /** Base of the exponential backoff between attempts in ms (default 200). */
  retryBaseMs?: number;
  /** Largest wait between attempts in ms (default 10,000). */
  retryCapMs?: number;
  /** Called before each wait between attempts. */
  onRetry?: (info: RetryInfo) => void;
  /** Sent as `authorization: Bearer <token>` on every call; absent: no authorization. */
  token?: string | undefined;
  /** TLS: the CA to trust (default the system's) and a client certificate; absent: plaintext. */
  tls?: GrpcClientTlsFiles | null | undefined;
  /**
   * The name the server's certificate must carry when it differs from the dialled host, e.g.
   * `localhost` when dialling 127.0.0.1 (Deno cannot verify an IP address).
   */
  tlsServerName?: string | undefined;
}

/** What {@linkcode UserClientOptions.onRetry} is told about a failed attempt. */
export interface RetryInfo {
  /** The gRPC method called, e.g. "RegisterUser". */
  readonly method: string;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** How long the client waits before the next attempt, in ms. */
  readonly waitMs: number;
  /** The gRPC status code the attempt ended with: 14 (UNAVAILABLE) or 4 (DEADLINE_EXCEEDED). */
  readonly code: number;
  /** The status details, e.g. "No connection established". */
  readonly message: string;
}

/**
 * The answer to one call, after retries: the response, or the status the service (or the
 * channel, for UNAVAILABLE and DEADLINE_EXCEEDED) ended with. `code` is the gRPC status code
 * (0 OK, 3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 14 UNAVAILABLE, …; `status` of
 * `@grpc/grpc-js` names them), `message` its details and `attempts` how many calls were made.
 */
export type CallResult<T> =
  | { readonly ok: true; readonly code: 0; readonly response: T; attempts: number }
  | { readonly ok: false; readonly code: number; readonly message: string; attempts: number };

/** Responses, with the field names of protos/user_service.proto. */
export interface MessageResponse {
  /** The service's reply text, e.g. "user ada@example.com registered for AAPL". */
  message: string;
}
/** LoginUser's response. */
export interface LoginResponse extends MessageResponse {
  /** True once logged in; an unregistered user gets NOT_FOUND instead of a response. */
  success: boolean;
}
/** GetLatestValue's response; `timestamp` is ISO-8601 UTC. */
export interface LatestValueResponse {
  /** The user's e-mail address, as the service normalised it. */
  email: string;
  /** The ticker the user follows, e.g. "AAPL". */
  ticker: string;
  /** The newest price of the ticker. */
  value: number;
  /** When that price was quoted, ISO-8601 UTC, e.g. "2024-12-20T15:30:00.000Z". */
  timestamp: string;
  /** Currency of `value` ("USD", "GBp" for pence); empty when unknown or an older server. */
  currency: string;
}
/** GetAverageValue's response; `values_count` may be less than the count asked for. */
export interface AverageValueResponse {
  /** The user's e-mail address, as the service normalised it. */
  email: string;
  /** The ticker the user follows, e.g. "AAPL". */
  ticker: string;
  /** Mean of the averaged prices. */
  average_value: number;
  /** How many prices were averaged. */
  values_count: number;
  /** Currency of `average_value` ("USD", "GBp"); empty when unknown or an older server. */
  currency: string;
}

/** RegisterUser's input. */
export interface RegisterInput {
  /** The user's e-mail address. */
  email: string;
  /** Yahoo Finance symbol to watch, e.g. "AAPL", "BRK-B", "EURUSD=X". */
  ticker: string;
  /** Idempotency key, the same on every retry; e.g. `crypto.randomUUID()`. */
  requestId: string;
  /** Alert when the price rises above it (> 0); absent for no high alert. */
  highValue?: number | undefined;
  /** Alert when the price falls below it (> 0, below `highValue`); absent for no low alert. */
  lowValue?: number | undefined;
}
/** UpdateUser's input: what is left out stays as it is. */
export interface UpdateInput {
  /** The registered user's e-mail address. */
  email: string;
  /** Idempotency key, the same on every retry; e.g. `crypto.randomUUID()`. */
  requestId: string;
  /** New ticker to watch; absent keeps the current one. */
  ticker?: string | undefined;
  /** New high threshold (> 0); absent keeps the current one. */
  highValue?: number | undefined;
  /** New low threshold (> 0); absent keeps the current one. */
  lowValue?: number | undefined;
  /** Removes the high threshold; cannot be combined with `highValue`. */
  clearHigh?: boolean | undefined;
  /** Removes the low threshold; cannot be combined with `lowValue`. */
  clearLow?: boolean | undefined;
}

/**
 * A typed client of both tickerwatch gRPC services. Every call gets its own deadline and is
 * retried with exponential backoff and full jitter on UNAVAILABLE and DEADLINE_EXCEEDED only.
 * Commands send the caller's request_id unchanged on every attempt, so the command service runs
 * them at most once and answers a repeat with the stored outcome.
 *
 * @example
 * ```ts
 * using client = new UserClient({ commandAddr: "127.0.0.1:50051", queryAddr: "127.0.0.1:50052" });
 * const r = await client.register({ email: "ada@example.com", ticker: "AAPL", requestId: crypto.randomUUID(), highValue: 200 });
 * if (r.ok) console.log(r.response.message);
 * ```
 */
export class UserClient implements Disposable {
  readonly #command: grpc.Client;
  readonly #query: grpc.Client;
  readonly #timeoutMs: number;
  readonly #options: UserClientOptions;

  /** Takes both addresses and the retry settings; opens no connection until the first call. */
  constructor(options: UserClientOptions) {
    const proto = loadUserServiceProto();
    const creds = grpcClientCredentials(options.tls ?? null);
    // Keep the channel's own reconnect backoff short: the retry loop below does the pacing.
    const channelOptions: grpc.ChannelOptions = {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1_000,
    };
    if (options.tlsServerName !== undefined) {
      channelOptions["grpc.ssl_target_name_override"] = options.tlsServerName;
      channelOptions["grpc.default_authority"] = options.tlsServerName;
    }
    this.#command = new proto.commandService(options.commandAddr, creds, channelOptions);
    this.#query = new proto.queryService(options.queryAddr, creds, channelOptions);
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#options = options;
  }

  /** RegisterUser: subscribes `email` to alerts on `ticker`. */
  register(input: RegisterInput): Promise<CallResult<MessageResponse>> {
    const request: Record<string, unknown> = {
      email: input.email,
      ticker: input.ticker,
      request_id: input.requestId,
    };
    if (input.highValue !== undefined) request.high_value = input.highValue;
    if (input.lowValue !== undefined) request.low_value = input.lowValue;
    return this.#call(this.#command, "RegisterUser", request);
  }

  /** LoginUser: whether `email` is registered. */
  login(input: { email: string; requestId: string }): Promise<CallResult<LoginResponse>> {
    return this.#call(this.#command, "LoginUser", {
      email: input.email,
      request_id: input.requestId,
    });
  }

  /** UpdateUser: changes the ticker or thresholds; unset fields keep their value. */
  update(input: UpdateInput): Promise<CallResult<MessageResponse>> {
    const request: Record<string, unknown> = {
      email: input.email,
      ticker: input.ticker ?? "",
      request_id: input.requestId,
      clear_high_value: input.clearHigh ?? false,
      clear_low_value: input.clearLow ?? false,
    };
    if (input.highValue !== undefined) request.high_value = input.highValue;
    if (input.lowValue !== undefined) request.low_value = input.lowValue;
    return this.#call(this.#command, "UpdateUser", request);
  }

  /** DeleteUser: removes `email` and its thresholds. */
  delete(input: { email: string; requestId: string }): Promise<CallResult<MessageResponse>> {
    return this.#call(this.#command, "DeleteUser", {
      email: input.email,
      request_id: input.requestId,
    });
  }

  /** GetLatestValue: the newest quote of the user's ticker. */
  latest(input: { email: string }): Promise<CallResult<LatestValueResponse>> {
    return this.#call(this.#query, "GetLatestValue", { email: input.email });
  }

  /** GetAverageValue: the mean of the newest `count` quotes of the user's ticker. */
  average(input: { email: string; count: number }): Promise<CallResult<AverageValueResponse>> {
    return this.#call(this.#query, "GetAverageValue", { email: input.email, count: input.count });
  }

  /** Closes both channels. */
  close(): void {
    this.#command.close();
    this.#query.close();
  }

  /** Closes both channels, as {@linkcode UserClient.close}; for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #call<T>(
    client: grpc.Client,
    method: string,
    request: Record<string, unknown>,
  ): Promise<CallResult<T>> {
    let attempts = 0;
    try {
      const result = await retry(async (attempt) => {
        attempts = attempt;
        const r = await _unary<T>(client, method, request, this.#timeoutMs, this.#options.token);
        if (!r.ok && RETRIABLE_CODES.includes(r.code)) throw new _RetriableStatus(r);
        return r;
      }, {
        maxAttempts: (this.#options.retries ?? 5) + 1,
        retriable: (err) => err instanceof _RetriableStatus,
        ...(this.#options.retryBaseMs !== undefined && { baseMs: this.#options.retryBaseMs }),
        ...(this.#options.retryCapMs !== undefined && { capMs: this.#options.retryCapMs }),
        onRetry: ({ attempt, waitMs, error }) => {
          const { code, message } = (error as _RetriableStatus).status;
          this.#options.onRetry?.({ method, attempt, waitMs, code, message });
        },
      });
      return { ...result, attempts };
    } catch (err) {
      if (err instanceof _RetriableStatus) return { ...err.status, attempts };
      throw err;
    }
  }
}

type _Failed = { ok: false; code: grpc.status; message: string };

type _Attempt<T> =
  | { ok: true; code: grpc.status.OK; response: T }
  | _Failed;

// An UNAVAILABLE or DEADLINE_EXCEEDED answer, thrown so that retry() tries again.
class _RetriableStatus extends Error {
  readonly status: _Failed;
  constructor(status: _Failed) {
    super(status.message);
    this.name = "RetriableStatus";
    this.status = status;
  }
}

function _unary<T>(
  client: grpc.Client,
  method: string,
  request: Record<string, unknown>,
  timeoutMs: number,
  token: string | undefined,
): Promise<_Attempt<T>> {
  const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method];
  if (typeof fn !== "function") throw new TypeError(`unknown gRPC method ${method}`);
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve) => {
    fn.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, response: T) => {
        if (err) resolve({ ok: false, code: err.code, message: err.details || err.message });
        else resolve({ ok: true, code: grpc.status.OK, response });
      },
    );
  });
}
