import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import type { Logger } from "../log/logger.ts";
import { PROTO_LOADER_OPTIONS, USER_SERVICE_PROTO } from "./user_service_proto.ts";

/** One service to serve: its full name (for health), definition and handlers. */
export interface ServedService {
  /** e.g. "user_service.UserCommandService" */
  readonly name: string;
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

/** Options of {@linkcode GrpcServer.start}. */
export interface GrpcServerOptions {
  /** host:port to listen on; port 0 picks a free one. */
  address: string;
  services: readonly ServedService[];
  logger: Logger;
  /** Transport credentials (see `grpcServerCredentials`); default plaintext. */
  credentials?: grpc.ServerCredentials;
  /** Server interceptors, e.g. `bearerTokenInterceptor`; they see every call. */
  interceptors?: grpc.ServerInterceptor[];
}

/**
 * A grpc-js server that also serves `grpc.health.v1.Health` and server reflection (v1 and
 * v1alpha), so grpcurl needs no proto files.
 */
export class GrpcServer {
  readonly #server: grpc.Server;
  readonly #health: HealthImplementation;
  readonly #names: readonly string[];
  readonly #logger: Logger;
  /** The port actually bound. */
  readonly port: number;

  private constructor(
    server: grpc.Server,
    health: HealthImplementation,
    names: string[],
    port: number,
    logger: Logger,
  ) {
    this.#server = server;
    this.#health = health;
    this.#names = names;
    this.port = port;
    this.#logger = logger;
  }

  /** Binds `address` and starts serving. */
  static async start(
    { address, services, logger, credentials, interceptors }: GrpcServerOptions,
  ): Promise<GrpcServer> {
    const server = new grpc.Server({
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.max_receive_message_length": 1024 * 1024,
      interceptors: interceptors ?? [],
    });
    for (const s of services) server.addService(s.definition, s.implementation);
    const names = services.map((s) => s.name);
    const health = new HealthImplementation(
      Object.fromEntries([["", "SERVING"], ...names.map((n) => [n, "SERVING"])]),
    );
    health.addToServer(server);
    const reflected = protoLoader.loadSync(
      [USER_SERVICE_PROTO, healthProtoPath],
      PROTO_LOADER_OPTIONS,
    );
    new ReflectionService(reflected, { services: [...names, "grpc.health.v1.Health"] })
      .addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        address,
        credentials ?? grpc.ServerCredentials.createInsecure(),
        (err, port) => err ? reject(err) : resolve(port),
      )
    );
    logger.info("grpc server listening", {
      address,
      port,
      services: names,
      tls: credentials?._isSecure() ?? false,
    });
    return new GrpcServer(server, health, names, port, logger);
  }

  /** Reports SERVING or NOT_SERVING on the health service (overall and per service). */
  setServing(serving: boolean): void {
    const status = serving ? "SERVING" : "NOT_SERVING";
    for (const name of ["", ...this.#names]) this.#health.setStatus(name, status);
  }

  /**
   * Stops accepting calls, lets calls in flight finish for up to `graceMs`, then cancels the rest.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.setServing(false);
    const drained = new Promise<boolean>((resolve) =>
      this.#server.tryShutdown(() => resolve(true))
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const clean = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    if (!clean) {
      this.#logger.warn("grace period over, cancelling calls in flight", { graceMs });
      this.#server.forceShutdown();
    }
  }
}
