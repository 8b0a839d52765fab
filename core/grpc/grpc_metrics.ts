import type * as grpc from "@grpc/grpc-js";

/** Receives one observation per gRPC call (the metrics port of the gRPC edge). */
export interface GrpcMetrics {
  observe(method: string, code: grpc.status, millis: number): void;
}
