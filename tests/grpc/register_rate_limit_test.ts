import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { loadUserServiceProto } from "../../core/grpc/user_service_proto.ts";
import { rid } from "../helpers/grpc.ts";
import { freshDatabase, queryNumber } from "../helpers/mysql.ts";
import { commandServer } from "../helpers/servers.ts";
import { withServices } from "../helpers/services.ts";

/** RegisterUser over `client`, resolving with the error (status, details, trailers) or null. */
function register(client: grpc.Client, email: string): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => {
    (client as unknown as Record<string, (...a: unknown[]) => void>).RegisterUser!.call(
      client,
      { email, ticker: "AAPL", request_id: rid(), high_value: 200 },
      { deadline: Date.now() + 10_000 },
      (err: grpc.ServiceError | null) => resolve(err),
    );
  });
}

Deno.test(
  "RegisterUser past REGISTER_RATE_PER_MINUTE from one address is RESOURCE_EXHAUSTED with a retry hint, on a new connection too; other commands are not limited",
  async () => {
    await using db = freshDatabase();
    await withServices(async (s) => {
      const server = s.use(await commandServer(db.url, { REGISTER_RATE_PER_MINUTE: "3" }));
      const { commandService } = loadUserServiceProto();
      const creds = grpc.credentials.createInsecure();
      const first = s.use(new commandService(`127.0.0.1:${server.port}`, creds));
      for (let i = 0; i < 3; i++) assert.equal(await register(first, `u${i}@example.com`), null);
      const refused = await register(first, "u3@example.com");
      assert.equal(refused?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(
        refused!.details,
        /Too many RegisterUser calls from this address: retry in 20 s/,
      );
      assert.deepEqual(refused!.metadata.get("retry-after"), ["20"]);

      // A new channel is a new connection from the same address: still limited.
      const second = s.use(new commandService(`127.0.0.1:${server.port}`, creds));
      assert.equal(
        (await register(second, "u4@example.com"))?.code,
        grpc.status.RESOURCE_EXHAUSTED,
      );
      assert.equal(await queryNumber(db.url, "SELECT COUNT(*) FROM users"), 3);

      const login = await new Promise<grpc.ServiceError | null>((resolve) =>
        (second as unknown as Record<string, (...a: unknown[]) => void>).LoginUser!.call(
          second,
          { email: "u0@example.com", request_id: rid() },
          (err: grpc.ServiceError | null) => resolve(err),
        )
      );
      assert.equal(login, null, "LoginUser is not limited");
    });
  },
);

Deno.test("REGISTER_RATE_PER_MINUTE=0 turns the limit off", async () => {
  await using db = freshDatabase();
  await withServices(async (s) => {
    const server = s.use(await commandServer(db.url, { REGISTER_RATE_PER_MINUTE: "0" }));
    const { commandService } = loadUserServiceProto();
    const client = s.use(
      new commandService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()),
    );
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => register(client, `v${i}@example.com`)),
    );
    assert.deepEqual(results.filter((r) => r !== null).map((r) => r!.details), []);
  });
});
