import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** Path of the service contract; embedded in compiled binaries with `--include protos`. */
export const USER_SERVICE_PROTO: string = fileURLToPath(
  new URL("../../protos/user_service.proto", import.meta.url),
);

/** Options shared by servers and clients: snake_case field names as in the proto. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The loaded `user_service` package: its definition (for reflection) and service constructors. */
export interface UserServiceProto {
  readonly packageDefinition: protoLoader.PackageDefinition;
  readonly commandService: grpc.ServiceClientConstructor;
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
