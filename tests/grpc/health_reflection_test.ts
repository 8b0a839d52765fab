import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { freshDatabase } from "../helpers/mysql.ts";
import { caller } from "../helpers/grpc.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";

const REFLECTION = fileURLToPath(new URL("../fixtures/reflection_client.proto", import.meta.url));

function healthClient(port: number): grpc.Client {
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const Health = (grpc.loadPackageDefinition(def).grpc as grpc.GrpcObject)
    .health as grpc.GrpcObject;
  const Ctor = (Health.v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor;
  return new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** One reflection request/response over the bidirectional stream. */
function reflect(port: number, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const def = protoLoader.loadSync(REFLECTION, { keepCase: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return new Promise((resolve, reject) => {
    const stream =
      (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> })
        .ServerReflectionInfo();
    stream.on("data", (msg) => {
      resolve(msg as Record<string, unknown>);
      stream.end();
      client.close();
    });
    stream.on("error", reject);
    stream.write(request);
  });
}

Deno.test("both servers serve grpc.health.v1.Health and server reflection", async () => {
  await using db = freshDatabase();
  const servers = [
    { server: await commandServer(db.url), service: "user_service.UserCommandService" },
    { server: await queryServer(db.url), service: "user_service.UserQueryService" },
  ];
  try {
    for (const { server, service } of servers) {
      const health = healthClient(server.port);
      const check = caller(health);
      for (const name of ["", service]) {
        const r = await check("Check", { service: name });
        assert.deepEqual(r.response, { status: "SERVING" }, `health of "${name}"`);
      }
      const unknown = await check("Check", { service: "no.such.Service" });
      assert.equal(unknown.code, grpc.status.NOT_FOUND);
      health.close();

      const list = await reflect(server.port, { list_services: "*" });
      const names = (list.list_services_response as { service: { name: string }[] }).service.map((
        s,
      ) => s.name);
      assert.ok(names.includes(service), `reflection lists ${service}: ${names}`);
      assert.deepEqual(names.sort(), ["grpc.health.v1.Health", service]);

      const file = await reflect(server.port, { file_containing_symbol: service });
      const descriptors = (file.file_descriptor_response as { file_descriptor_proto: Uint8Array[] })
        .file_descriptor_proto;
      const text = new TextDecoder().decode(descriptors[0]);
      assert.match(text, /user_service\.proto/);
      assert.match(text, /request_id/);
    }
  } finally {
    for (const { server } of servers) await server.stop();
  }
});

Deno.test("a server with GRPC_SERVICES=command,query lists both services in health and reflection", async () => {
  await using db = freshDatabase();
  const both = ["user_service.UserCommandService", "user_service.UserQueryService"];
  for (
    const server of [
      await commandServer(db.url, { GRPC_SERVICES: "command,query" }),
      await queryServer(db.url, { GRPC_SERVICES: "query, command" }),
    ]
  ) {
    try {
      const health = healthClient(server.port);
      const check = caller(health);
      for (const name of ["", ...both]) {
        const r = await check("Check", { service: name });
        assert.deepEqual(r.response, { status: "SERVING" }, `health of "${name}"`);
      }
      health.close();
      const list = await reflect(server.port, { list_services: "*" });
      const names = (list.list_services_response as { service: { name: string }[] }).service
        .map((s) => s.name);
      assert.deepEqual(names.sort(), ["grpc.health.v1.Health", ...both]);
    } finally {
      await server.stop();
    }
  }
});
