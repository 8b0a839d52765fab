import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** Path of the service contract; embedded in compiled binaries with `--include protos`. */
export const USER_SERVICE_PROTO: string = fileURLToPath(
  new URL("../../protos/user_service.proto", import.meta.url),
);

/**
 * `@grpc/proto-loader` options shared by servers and clients: field names kept in snake_case as
 * in the proto, 64-bit integers as numbers, enums as their names, unset fields filled with their
 * defaults, and the name of the set field on each oneof.
 */
export const PROTO_LOADER_OPTIONS: {
  readonly keepCase: boolean;
  readonly longs: NumberConstructor;
  readonly enums: StringConstructor;
  readonly defaults: boolean;
  readonly oneofs: boolean;
} = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The loaded `user_service` package: its definition (for reflection) and service constructors. */
export interface UserServiceProto {
  /** The package as `@grpc/proto-loader` loaded it, e.g. for a reflection service. */
  readonly packageDefinition: protoLoader.PackageDefinition;
  /** `@grpc/grpc-js` client constructor of UserCommandService; `.service` is its definition. */
  readonly commandService: grpc.ServiceClientConstructor;
  /** `@grpc/grpc-js` client constructor of UserQueryService; `.service` is its definition. */
  readonly queryService: grpc.ServiceClientConstructor;
}

/**
 * Loads `protos/user_service.proto` (or `path`).
 *
 * @example
 * ```ts
 * const { commandService } = loadUserServiceProto();
 * const client = new commandService("127.0.0.1:50051", grpc.credentials.createInsecure());
 * ```
 */
export function loadUserServiceProto(path: string = USER_SERVICE_PROTO): UserServiceProto {
  const packageDefinition = protoLoader.loadSync(path, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(packageDefinition).user_service as grpc.GrpcObject;
  return {
    packageDefinition,
    commandService: pkg.UserCommandService as grpc.ServiceClientConstructor,
    queryService: pkg.UserQueryService as grpc.ServiceClientConstructor,
  };
}
