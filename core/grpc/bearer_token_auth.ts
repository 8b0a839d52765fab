/** Bearer-token authentication of gRPC calls, as a grpc-js server interceptor. */
import * as grpc from "@grpc/grpc-js";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "../log/logger.ts";

/** Services callable without a token: health checks and server reflection. */
export const UNAUTHENTICATED_SERVICES: readonly string[] = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

/**
 * Checks presented tokens against the accepted ones in constant time: both sides are hashed
 * (SHA-256) first, so the comparison neither depends on where they differ nor on their lengths,
 * and every accepted token is compared.
 */
export class BearerTokens {
  readonly #digests: readonly Buffer[];

  /**
   * Takes the accepted tokens; keeps only their digests.
   *
   * @throws {RangeError} when `tokens` is empty
   */
  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new RangeError("BearerTokens needs at least one token");
    this.#digests = tokens.map(_digest);
  }

  /** Whether `authorization` (a metadata value) is `Bearer <an accepted token>`. */
  accepts(authorization: string | undefined): boolean {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
    const presented = _digest(m?.[1] ?? "");
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(d, presented) || ok;
    return ok && m !== null;
  }
}

function _digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * A server interceptor that answers UNAUTHENTICATED to every call without an accepted
 * `authorization: Bearer <token>` metadata entry, except calls to
 * {@linkcode UNAUTHENTICATED_SERVICES}. The token is never logged; a refusal is logged with the
 * method and the peer.
 */
export function bearerTokenInterceptor(
  tokens: BearerTokens,
  logger: Logger,
): grpc.ServerInterceptor {
  return (method, call) => {
    const service = method.path.split("/")[1] ?? "";
    if (UNAUTHENTICATED_SERVICES.includes(service)) return new grpc.ServerInterceptingCall(call);
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const values = metadata.get("authorization");
        const value = values.length === 1 && typeof values[0] === "string" ? values[0] : undefined;
        if (tokens.accepts(value)) {
          next(metadata);
          return;
        }
        logger.warn("call refused: missing or wrong bearer token", {
          method: method.path,
          peer: call.getPeer(),
          presented: values.length > 0,
        });
        call.sendStatus({
          code: grpc.status.UNAUTHENTICATED,
          details: "a valid 'authorization: Bearer <token>' is required",
          metadata: new grpc.Metadata(),
        });
      })
      .build();
    const responder = new grpc.ResponderBuilder().withStart((next) => next(listener)).build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
