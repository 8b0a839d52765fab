import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { loadUserServiceProto, PROTO_LOADER_OPTIONS } from "../../core/grpc/user_service_proto.ts";

/** The result of one unary call: either a response or a status with details. */
export interface CallResult<T = Record<string, unknown>> {
  code: grpc.status;
  details: string;
  response: T | undefined;
}

/** A promise-based unary caller over a grpc-js client. */
export type Caller = <T = Record<string, unknown>>(
  method: string,
  request: Record<string, unknown>,
) => Promise<CallResult<T>>;

/** Wraps `client` so that `call("RegisterUser", {...})` resolves with code and response. */
export function caller(client: grpc.Client): Caller {
  return (method, request) =>
    new Promise((resolve) => {
      const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method]!;
      fn.call(
        client,
        request,
        { deadline: Date.now() + 10_000 },
        (err: grpc.ServiceError | null, response: unknown) => {
          if (err) resolve({ code: err.code, details: err.details, response: undefined });
          else resolve({ code: grpc.status.OK, details: "", response: response as never });
        },
      );
    });
}

/** Callers of both services over the given constructors, and `close()` for both channels. */
function _clients(
  Cmd: grpc.ServiceClientConstructor,
  Qry: grpc.ServiceClientConstructor,
  commandPort: number,
  queryPort: number,
): { command: Caller; query: Caller; close(): void } {
  const creds = grpc.credentials.createInsecure();
  const cmd = new Cmd(`127.0.0.1:${commandPort}`, creds);
  const qry = new Qry(`127.0.0.1:${queryPort}`, creds);
  return {
    command: caller(cmd),
    query: caller(qry),
    close() {
      cmd.close();
      qry.close();
    },
  };
}

/** Clients of both services from protos/user_service.proto. */
export function userServiceClients(commandPort: number, queryPort?: number): {
  command: Caller;
  query: Caller;
  close(): void;
} {
  const proto = loadUserServiceProto();
  return _clients(proto.commandService, proto.queryService, commandPort, queryPort ?? commandPort);
}

/** Clients built from another .proto file (e.g. the original contract in tests/fixtures). */
export function clientsFromProto(path: string, port: number): {
  command: Caller;
  query: Caller;
  close(): void;
} {
  const def = protoLoader.loadSync(path, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def).user_service as grpc.GrpcObject;
  return _clients(
    pkg.UserCommandService as grpc.ServiceClientConstructor,
    pkg.UserQueryService as grpc.ServiceClientConstructor,
    port,
    port,
  );
}

/** A unique request id for a test call. */
export function rid(): string {
  return crypto.randomUUID();
}
