import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { loadUserServiceProto } from "../../core/grpc/user_service_proto.ts";
import { rid } from "../helpers/grpc.ts";
import { freshDatabase, snapshotTables } from "../helpers/mysql.ts";
import { commandServer, queryServer } from "../helpers/servers.ts";
import { withServices } from "../helpers/services.ts";
import {
  BAD_EMAILS,
  BAD_TICKERS,
  EXTREME_NUMBERS,
  pick,
  prng,
  ProtoWriter,
  randomBytes,
  TRICKY_VALID_EMAILS,
} from "./_hostile.ts";

const CALLS = 10_000;
const IN_FLIGHT = 200;
const SEED = Number(Deno.env.get("HOSTILE_SEED") ?? 1313);

const COMMAND = "/user_service.UserCommandService/";
const QUERY = "/user_service.UserQueryService/";

/** One hostile call: the path and the raw request bytes. */
interface HostileCall {
  path: string;
  body: Uint8Array;
  kind: string;
}

/** A request no server may accept, for `method`; `rand` decides which kind. */
function hostileCall(rand: () => number): HostileCall {
  const w = new ProtoWriter();
  const r = rand();
  const badEmail = () => pick(rand, BAD_EMAILS);
  const tricky = () => pick(rand, TRICKY_VALID_EMAILS);
  if (r < 0.15) {
    const path = pick(rand, [
      `${COMMAND}RegisterUser`,
      `${COMMAND}LoginUser`,
      `${COMMAND}UpdateUser`,
      `${COMMAND}DeleteUser`,
      `${QUERY}GetLatestValue`,
      `${QUERY}GetAverageValue`,
    ]);
    return { path, body: randomBytes(rand, 512), kind: "random bytes" };
  }
  if (r < 0.25) {
    // Wrong wire types for known fields, unknown fields, truncated lengths, group markers.
    const variant = Math.floor(rand() * 5);
    if (variant === 0) w.key(1, 0).varint(2n ** 63n).string(2, "AAPL");
    else if (variant === 1) w.double(1, 1e308).double(2, NaN);
    else if (variant === 2) w.string(1, "ann@example.com").key(4, 2).varint(5).raw([1, 2, 3]);
    else if (variant === 3) w.key(1, 3).key(2, 3).key(1, 4);
    else w.key(999_999, 5).raw([1, 2, 3, 4]).key(1, 2).varint(2 ** 31);
    const path = pick(rand, [
      `${COMMAND}RegisterUser`,
      `${COMMAND}UpdateUser`,
      `${QUERY}GetAverageValue`,
    ]);
    return { path, body: w.bytes(), kind: "wrong types" };
  }
  if (r < 0.5) {
    // RegisterUser / UpdateUser: always one field no validation may accept.
    const path = pick(rand, [`${COMMAND}RegisterUser`, `${COMMAND}UpdateUser`]);
    const which = Math.floor(rand() * 3);
    // Extreme thresholds go to a user that exists for UpdateUser: accepting one would show.
    const email = which === 0
      ? badEmail()
      : which === 2 && path.endsWith("UpdateUser")
      ? "ann@example.com"
      : tricky();
    const ticker = which === 1
      ? pick(rand, BAD_TICKERS.filter((t) => t !== "")) // UpdateUser: "" keeps the ticker
      : pick(rand, ["AAPL", "BRK-B", "^GSPC"]);
    w.string(1, email).string(2, ticker).string(3, rid());
    if (which === 2) w.double(4, pick(rand, EXTREME_NUMBERS));
    else if (rand() < 0.5) w.double(4, 100);
    return { path, body: w.bytes(), kind: "bad register/update" };
  }
  if (r < 0.7) {
    const path = pick(rand, [`${COMMAND}LoginUser`, `${COMMAND}DeleteUser`]);
    w.string(1, badEmail()).string(2, rand() < 0.5 ? rid() : pick(rand, BAD_TICKERS));
    return { path, body: w.bytes(), kind: "bad login/delete" };
  }
  if (r < 0.85) {
    w.string(1, rand() < 0.7 ? badEmail() : tricky());
    return { path: `${QUERY}GetLatestValue`, body: w.bytes(), kind: "bad latest" };
  }
  if (r < 0.999) {
    w.string(1, rand() < 0.5 ? badEmail() : tricky());
    w.key(2, 0).varint(pick(rand, [0, -1, -(2 ** 31), 2 ** 31 - 1, 2n ** 64n - 1n]));
    return { path: `${QUERY}GetAverageValue`, body: w.bytes(), kind: "bad average" };
  }
  // Over the 1 MiB the servers accept, and a method that does not exist.
  return rand() < 0.5
    ? {
      path: `${COMMAND}RegisterUser`,
      body: w.string(1, "x".repeat(2 << 20)).bytes(),
      kind: "2 MiB",
    }
    : { path: `${COMMAND}DropAllUsers`, body: w.string(1, "x").bytes(), kind: "no such method" };
}

/** Sends `call` as raw bytes and resolves with the status it ended with. */
function send(client: grpc.Client, call: HostileCall): Promise<grpc.StatusObject> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      call.path,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      call.body,
      new grpc.Metadata(),
      { deadline: Date.now() + 30_000 },
      (err) =>
        resolve(
          err
            ? { code: err.code, details: err.details, metadata: err.metadata }
            : { code: grpc.status.OK, details: "", metadata: new grpc.Metadata() },
        ),
    );
  });
}

/** Codes a hostile call may end with: a rejection of the request, never OK or a fault. */
const ACCEPTABLE = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.INTERNAL, // grpc-js: the request could not be deserialized
  grpc.status.RESOURCE_EXHAUSTED, // over the maximum message size
  grpc.status.UNIMPLEMENTED,
]);

Deno.test(
  `command and query servers answer ${CALLS} hostile calls with a proper status each, change nothing and keep serving`,
  async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled.push(e.reason);
      e.preventDefault();
    };
    globalThis.addEventListener("unhandledrejection", onUnhandled);
    await using db = freshDatabase();
    try {
      await withServices(async (s) => {
        const cmd = s.use(await commandServer(db.url, { REGISTER_RATE_PER_MINUTE: "0" }));
        const qry = s.use(await queryServer(db.url));
        const proto = loadUserServiceProto();
        const creds = grpc.credentials.createInsecure();
        const commands = s.use(new proto.commandService(`127.0.0.1:${cmd.port}`, creds));
        const queries = s.use(new proto.queryService(`127.0.0.1:${qry.port}`, creds));
        for (const email of ["ann@example.com", "bob@example.com"]) {
          const seeded = await send(commands, {
            path: `${COMMAND}RegisterUser`,
            body: new ProtoWriter().string(1, email).string(2, "AAPL").string(3, rid())
              .double(4, 200).bytes(),
            kind: "seed",
          });
          assert.equal(seeded.code, grpc.status.OK, seeded.details);
        }
        const before = await snapshotTables(db.url);

        const rand = prng(SEED);
        const calls = Array.from({ length: CALLS }, () => hostileCall(rand));
        const results: grpc.StatusObject[] = new Array(calls.length);
        const started = performance.now();
        let next = 0;
        await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
          while (next < calls.length) {
            const i = next++;
            const call = calls[i]!;
            results[i] = await send(call.path.startsWith(COMMAND) ? commands : queries, call);
          }
        }));
        const seconds = (performance.now() - started) / 1000;

        const byCode = new Map<string, number>();
        const wrong: string[] = [];
        results.forEach((res, i) => {
          const name = grpc.status[res.code] ?? String(res.code);
          byCode.set(name, (byCode.get(name) ?? 0) + 1);
          if (!ACCEPTABLE.has(res.code) || typeof res.details !== "string") {
            wrong.push(`#${i} ${calls[i]!.kind} ${calls[i]!.path}: ${name} ${res.details}`);
          }
        });
        console.log(
          `${CALLS} hostile calls in ${seconds.toFixed(1)} s:`,
          Object.fromEntries(byCode),
        );
        assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} calls ended badly`);
        assert.equal(await snapshotTables(db.url), before, "the database changed");
        assert.deepEqual(unhandled, []);

        // Both servers still serve a valid call.
        const login = await send(commands, {
          path: `${COMMAND}LoginUser`,
          body: new ProtoWriter().string(1, "ann@example.com").string(2, rid()).bytes(),
          kind: "valid",
        });
        assert.equal(login.code, grpc.status.OK, login.details);
        const latest = await send(queries, {
          path: `${QUERY}GetLatestValue`,
          body: new ProtoWriter().string(1, "ann@example.com").bytes(),
          kind: "valid",
        });
        assert.equal(latest.code, grpc.status.NOT_FOUND, "no quote yet, but an answer");
      });
    } finally {
      globalThis.removeEventListener("unhandledrejection", onUnhandled);
    }
  },
);
