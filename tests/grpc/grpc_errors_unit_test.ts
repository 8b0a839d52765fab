import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { silentLogger, ValidationError } from "../../core/mod.ts";
import { MAX_STATUS_DETAILS, toGrpcError } from "../../core/grpc/grpc_errors.ts";

Deno.test("toGrpcError() cuts a message that quotes a huge request, so it fits the trailers", () => {
  const err = new ValidationError(
    `Cannot register user: ticker "${"X".repeat(100_000)}" is bad`,
    "ticker",
  );
  const status = toGrpcError(err, silentLogger, "RegisterUser");
  assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(status.details.length, MAX_STATUS_DETAILS);
  assert.match(status.details, /^Cannot register user: ticker "XXX+…$/);
  const short = new ValidationError("Cannot register user: email is required", "email");
  assert.equal(toGrpcError(short, silentLogger, "RegisterUser").details, short.message);
});
