/** Bearer tokens and TLS on the gRPC servers, through real handshakes with openssl-made certs. */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type RunningServer, UserClient, type UserClientOptions } from "../../core/mod.ts";
import { caller } from "../helpers/grpc.ts";
import { freshDatabase } from "../helpers/mysql.ts";
import { commandServer } from "../helpers/servers.ts";
import { testCertificates } from "../helpers/tls_certs.ts";

const TOKEN = "tw-test-token-0123456789abcdef";
const OTHER_TOKEN = "tw-second-token-fedcba9876543210";

function client(port: number, options: Partial<UserClientOptions> = {}): UserClient {
  return new UserClient({
    commandAddr: `127.0.0.1:${port}`,
    queryAddr: `127.0.0.1:${port}`,
    retries: 0,
    timeoutMs: 3_000,
    ...options,
  });
}

async function login(port: number, options: Partial<UserClientOptions> = {}) {
  using c = client(port, options);
  return await c.login({ email: "nobody@example.com", requestId: crypto.randomUUID() });
}

async function latest(port: number, options: Partial<UserClientOptions> = {}) {
  using c = client(port, options);
  return await c.latest({ email: "nobody@example.com" });
}

function healthCheck(port: number): Promise<{ code: grpc.status; response: unknown }> {
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const Health = (grpc.loadPackageDefinition(def).grpc as grpc.GrpcObject)
    .health as grpc.GrpcObject;
  const Ctor = (Health.v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor;
  const c = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return caller(c)("Check", { service: "" }).finally(() => c.close());
}

const REFLECTION = fileURLToPath(new URL("../fixtures/reflection_client.proto", import.meta.url));

/** The services server reflection lists, asked without any token. */
function reflectedServices(port: number): Promise<string[]> {
  const def = protoLoader.loadSync(REFLECTION, { keepCase: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const c = new pkg.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return new Promise<string[]>((resolve, reject) => {
    const stream =
      (c as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> })
        .ServerReflectionInfo();
    stream.on("data", (msg: { list_services_response?: { service: { name: string }[] } }) => {
      resolve((msg.list_services_response?.service ?? []).map((s) => s.name));
      stream.end();
    });
    stream.on("error", reject);
    stream.write({ list_services: "*" });
  }).finally(() => c.close());
}

async function withServer(
  env: Record<string, string>,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  await using db = freshDatabase();
  const server = await commandServer(db.url, { GRPC_SERVICES: "command,query", ...env });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

Deno.test("bearerTokenInterceptor refuses calls without or with a wrong token, accepts every configured token", async () => {
  await withServer({ GRPC_AUTH_TOKENS: `${TOKEN},${OTHER_TOKEN}` }, async ({ port }) => {
    for (const [what, token] of [["no", undefined], ["a wrong", "not-the-token-0123456789"]]) {
      const r = await login(port, token === undefined ? {} : { token });
      assert.equal(r.code, grpc.status.UNAUTHENTICATED, `${what} token on a command`);
      assert.ok(!r.ok && /Bearer/.test(r.message));
      const q = await latest(port, token === undefined ? {} : { token });
      assert.equal(q.code, grpc.status.UNAUTHENTICATED, `${what} token on a query`);
    }
    // A token's prefix and the token with a suffix are wrong too.
    assert.equal(
      (await login(port, { token: TOKEN.slice(0, -1) })).code,
      grpc.status.UNAUTHENTICATED,
    );
    assert.equal((await login(port, { token: `${TOKEN}x` })).code, grpc.status.UNAUTHENTICATED);
    for (const token of [TOKEN, OTHER_TOKEN]) {
      assert.equal((await login(port, { token })).code, grpc.status.NOT_FOUND);
      assert.equal((await latest(port, { token })).code, grpc.status.NOT_FOUND);
    }
    const health = await healthCheck(port);
    assert.deepEqual(health.response, { status: "SERVING" }, "health needs no token");
    assert.ok(
      (await reflectedServices(port)).includes("user_service.UserCommandService"),
      "reflection needs no token",
    );
  });
});

Deno.test("grpc servers without GRPC_AUTH_TOKENS take calls without a token", async () => {
  await withServer({}, async ({ port }) => {
    assert.equal((await login(port)).code, grpc.status.NOT_FOUND);
    assert.equal((await login(port, { token: TOKEN })).code, grpc.status.NOT_FOUND);
  });
});

Deno.test("grpc server over TLS: the handshake succeeds with the right CA and fails with a wrong one or plaintext", async () => {
  await using certs = await testCertificates();
  await withServer(
    { GRPC_TLS_CERT: certs.serverCert, GRPC_TLS_KEY: certs.serverKey },
    async ({ port }) => {
      const ok = await login(port, { tls: { caFile: certs.caCert }, tlsServerName: "localhost" });
      assert.equal(ok.code, grpc.status.NOT_FOUND, `TLS call answered: ${JSON.stringify(ok)}`);
      const wrong = await login(port, {
        tls: { caFile: certs.wrongCaCert },
        tlsServerName: "localhost",
      });
      assert.equal(wrong.code, grpc.status.UNAVAILABLE, "a server certificate from another CA");
      const plain = await login(port);
      assert.equal(plain.code, grpc.status.UNAVAILABLE, "plaintext to a TLS port");
    },
  );
});

Deno.test("grpc server with GRPC_TLS_CLIENT_CA refuses a client without a certificate (mutual TLS)", async () => {
  await using certs = await testCertificates();
  await withServer(
    {
      GRPC_TLS_CERT: certs.serverCert,
      GRPC_TLS_KEY: certs.serverKey,
      GRPC_TLS_CLIENT_CA: certs.caCert,
    },
    async ({ port }) => {
      const tls = { caFile: certs.caCert };
      const without = await login(port, { tls, tlsServerName: "localhost" });
      assert.equal(without.code, grpc.status.UNAVAILABLE, "no client certificate");
      const withCert = await login(port, {
        tls: { ...tls, certFile: certs.clientCert, keyFile: certs.clientKey },
        tlsServerName: "localhost",
      });
      assert.equal(withCert.code, grpc.status.NOT_FOUND, JSON.stringify(withCert));
    },
  );
});
