import assert from "node:assert/strict";
import { mysqlSslOptions } from "../../core/mod.ts";
import { kafkaSecurityOptions } from "../../core/kafka/kafka_client.ts";
import { BearerTokens } from "../../core/grpc/bearer_token_auth.ts";

Deno.test("kafkaSecurityOptions() gives kafkajs the PEM contents, verification and SASL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, "CA PEM");
    await Deno.writeTextFile(`${dir}/c.pem`, "CERT PEM");
    await Deno.writeTextFile(`${dir}/k.pem`, "KEY PEM");
    assert.deepEqual(kafkaSecurityOptions({ tls: null, sasl: null }), {});
    assert.deepEqual(
      kafkaSecurityOptions({
        tls: {
          caFile: `${dir}/ca.pem`,
          certFile: `${dir}/c.pem`,
          keyFile: `${dir}/k.pem`,
          verify: false,
        },
        sasl: { mechanism: "scram-sha-256", username: "tw", password: "pw" },
      }),
      {
        ssl: { rejectUnauthorized: false, ca: ["CA PEM"], cert: "CERT PEM", key: "KEY PEM" },
        sasl: { mechanism: "scram-sha-256", username: "tw", password: "pw" },
      },
    );
    assert.deepEqual(
      mysqlSslOptions({
        caFile: `${dir}/ca.pem`,
        certFile: undefined,
        keyFile: undefined,
        verify: true,
      }),
      { ca: "CA PEM", rejectUnauthorized: true },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BearerTokens.accepts() takes 'Bearer <token>' of any accepted token, nothing else", () => {
  const tokens = new BearerTokens(["first-token-0123456789", "second-token-0123456789"]);
  assert.equal(tokens.accepts("Bearer first-token-0123456789"), true);
  assert.equal(tokens.accepts("bearer second-token-0123456789"), true);
  for (
    const wrong of [
      undefined,
      "",
      "first-token-0123456789",
      "Bearer ",
      "Bearer first-token-012345678",
      "Bearer first-token-0123456789x",
      "Basic first-token-0123456789",
      "Bearer first-token-0123456789 second-token-0123456789",
    ]
  ) {
    assert.equal(tokens.accepts(wrong), false, `"${wrong}"`);
  }
  assert.throws(() => new BearerTokens([]), RangeError);
});
