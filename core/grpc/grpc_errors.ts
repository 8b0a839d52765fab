import * as grpc from "@grpc/grpc-js";
import { RequestIdConflictError } from "../commands/request_id_conflict_error.ts";
import type { OutcomeCode } from "../commands/outcome.ts";
import { NotFoundError } from "../domain/not_found_error.ts";
import { ValidationError } from "../domain/validation_error.ts";
import type { Logger } from "../log/logger.ts";
import { DatabaseUnavailableError } from "../runtime/database_unavailable_error.ts";

/** A gRPC error as handed to a unary callback. */
export type GrpcError = Partial<grpc.StatusObject> & { code: grpc.status; details: string };

/** The gRPC status of a stored command outcome. */
export function outcomeStatus(code: OutcomeCode): grpc.status {
  switch (code) {
    case "OK":
      return grpc.status.OK;
    case "ALREADY_EXISTS":
      return grpc.status.ALREADY_EXISTS;
    case "NOT_FOUND":
      return grpc.status.NOT_FOUND;
  }
}

/**
 * Maps a thrown error to a gRPC status: domain errors keep their message (cut to
 * {@linkcode MAX_STATUS_DETAILS} characters, as it may quote the request: an unbounded one would
 * not fit the HTTP/2 trailers and the call would end CANCELLED), infrastructure faults get a
 * generic one (logged with the detail, never sent to the client).
 */
export function toGrpcError(err: unknown, logger: Logger, method: string): GrpcError {
  if (err instanceof ValidationError || err instanceof RequestIdConflictError) {
    return { code: grpc.status.INVALID_ARGUMENT, details: boundedDetails(err.message) };
  }
  if (err instanceof NotFoundError) {
    return { code: grpc.status.NOT_FOUND, details: boundedDetails(err.message) };
  }
  if (err instanceof DatabaseUnavailableError) {
    logger.warn("database unavailable", { method, err });
    return { code: grpc.status.UNAVAILABLE, details: "database unavailable, retry later" };
  }
  logger.error("internal error", { method, err, stack: (err as Error)?.stack });
  return { code: grpc.status.INTERNAL, details: "internal error" };
}

/** Longest status message sent to a client, in characters. */
export const MAX_STATUS_DETAILS = 500;

/** `details` cut to {@linkcode MAX_STATUS_DETAILS} characters, ending in "…" when cut. */
export function boundedDetails(details: string): string {
  return details.length <= MAX_STATUS_DETAILS
    ? details
    : `${details.slice(0, MAX_STATUS_DETAILS - 1)}…`;
}
