import assert from "node:assert/strict";
import {
  ConfigError,
  EnvReader,
  loadAlertSystemConfig,
  loadCommandServerConfig,
  loadKafkaAdminConfig,
  loadNotifierConfig,
  readGrpcAuthTokens,
  readGrpcServerTls,
  readKafkaSecurity,
  readMysqlTls,
} from "../../core/mod.ts";

const TOKEN = "a-token-of-24-characters";

async function withFiles(
  files: Record<string, string>,
  fn: (path: (name: string) => string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, content] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, content);
    }
    await fn((name) => `${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function configError(fn: () => unknown, variable: string, fragment: RegExp): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${caught}`);
  assert.equal(caught.variable, variable);
  assert.match(caught.message, fragment);
  return caught;
}

Deno.test("EnvReader.secret() reads NAME or the file NAME_FILE names, trimmed, never both", async () => {
  await withFiles({ "token": `${TOKEN}\n`, "empty": "\n" }, (path) => {
    assert.equal(new EnvReader({ X: "v" }).secret("X"), "v");
    assert.equal(new EnvReader({ X_FILE: path("token") }).secret("X"), TOKEN);
    assert.equal(new EnvReader({}).secret("X"), undefined);
    configError(
      () => new EnvReader({ X: "v", X_FILE: path("token") }).secret("X"),
      "X_FILE",
      /together with X/,
    );
    configError(() => new EnvReader({ X_FILE: path("empty") }).secret("X"), "X_FILE", /empty/);
    configError(() => new EnvReader({ X_FILE: path("none") }).secret("X"), "X_FILE", /NotFound/);
  });
});

Deno.test("EnvReader.url() takes a URL with a password from NAME_FILE and never quotes it", async () => {
  await withFiles(
    { "url": "mysql://tw:s3cret-pw@db:3306/tickerwatch\n", "bad": "s3cret-pw" },
    (path) => {
      const url = new EnvReader({ MYSQL_URL_FILE: path("url") }).url("MYSQL_URL", "", ["mysql:"]);
      assert.equal(url, "mysql://tw:s3cret-pw@db:3306/tickerwatch");
      const err = configError(
        () => new EnvReader({ MYSQL_URL_FILE: path("bad") }).url("MYSQL_URL", "", ["mysql:"]),
        "MYSQL_URL",
        /not a valid URL/,
      );
      assert.ok(!err.message.includes("s3cret-pw"));
    },
  );
});

Deno.test("readGrpcAuthTokens() splits on commas and newlines, refuses short tokens without quoting them", async () => {
  assert.equal(readGrpcAuthTokens(new EnvReader({})), null);
  assert.deepEqual(
    readGrpcAuthTokens(new EnvReader({ GRPC_AUTH_TOKENS: `${TOKEN}, ${TOKEN}x` })),
    [TOKEN, `${TOKEN}x`],
  );
  await withFiles({ "tokens": `${TOKEN}\n${TOKEN}y\n` }, (path) => {
    assert.deepEqual(
      readGrpcAuthTokens(new EnvReader({ GRPC_AUTH_TOKENS_FILE: path("tokens") })),
      [TOKEN, `${TOKEN}y`],
    );
  });
  const err = configError(
    () => readGrpcAuthTokens(new EnvReader({ GRPC_AUTH_TOKENS: `${TOKEN},short-secret` })),
    "GRPC_AUTH_TOKENS",
    /token 2 must be at least 16 characters/,
  );
  assert.ok(!err.message.includes("short-secret"));
});

Deno.test("readGrpcServerTls() needs cert and key together, and a client CA only with them", async () => {
  await withFiles({ "c.pem": "c", "k.pem": "k", "ca.pem": "ca" }, (path) => {
    assert.equal(readGrpcServerTls(new EnvReader({})), null);
    assert.deepEqual(
      readGrpcServerTls(
        new EnvReader({
          GRPC_TLS_CERT: path("c.pem"),
          GRPC_TLS_KEY: path("k.pem"),
          GRPC_TLS_CLIENT_CA: path("ca.pem"),
        }),
      ),
      { certFile: path("c.pem"), keyFile: path("k.pem"), clientCaFile: path("ca.pem") },
    );
    configError(
      () => readGrpcServerTls(new EnvReader({ GRPC_TLS_CERT: path("c.pem") })),
      "GRPC_TLS_KEY",
      /needs GRPC_TLS_CERT/,
    );
    configError(
      () => readGrpcServerTls(new EnvReader({ GRPC_TLS_CLIENT_CA: path("ca.pem") })),
      "GRPC_TLS_CLIENT_CA",
      /needs GRPC_TLS_CERT/,
    );
    configError(
      () =>
        readGrpcServerTls(new EnvReader({ GRPC_TLS_CERT: path("x"), GRPC_TLS_KEY: path("k.pem") })),
      "GRPC_TLS_CERT",
      /cannot read/,
    );
  });
});

Deno.test("readKafkaSecurity() turns TLS on with any file, takes SASL mechanisms and a password file", async () => {
  await withFiles({ "ca.pem": "ca", "c.pem": "c", "k.pem": "k", "pw": "kafka-pw\n" }, (path) => {
    assert.deepEqual(readKafkaSecurity(new EnvReader({})), { tls: null, sasl: null });
    assert.deepEqual(readKafkaSecurity(new EnvReader({ KAFKA_TLS: "true" })).tls, {
      caFile: undefined,
      certFile: undefined,
      keyFile: undefined,
      verify: true,
    });
    const full = readKafkaSecurity(
      new EnvReader({
        KAFKA_TLS_CA: path("ca.pem"),
        KAFKA_TLS_CERT: path("c.pem"),
        KAFKA_TLS_KEY: path("k.pem"),
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "tw",
        KAFKA_SASL_PASSWORD_FILE: path("pw"),
      }),
    );
    assert.deepEqual(full, {
      tls: {
        caFile: path("ca.pem"),
        certFile: path("c.pem"),
        keyFile: path("k.pem"),
        verify: true,
      },
      sasl: { mechanism: "scram-sha-512", username: "tw", password: "kafka-pw" },
    });
    configError(
      () => readKafkaSecurity(new EnvReader({ KAFKA_SASL_MECHANISM: "gssapi" })),
      "KAFKA_SASL_MECHANISM",
      /plain, scram-sha-256, scram-sha-512/,
    );
    configError(
      () =>
        readKafkaSecurity(
          new EnvReader({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u" }),
        ),
      "KAFKA_SASL_PASSWORD",
      /needed/,
    );
    configError(
      () => readKafkaSecurity(new EnvReader({ KAFKA_SASL_PASSWORD: "kafka-pw" })),
      "KAFKA_SASL_MECHANISM",
      /must be set/,
    );
    configError(
      () => readKafkaSecurity(new EnvReader({ KAFKA_TLS_CERT: path("c.pem") })),
      "KAFKA_TLS_KEY",
      /needed with KAFKA_TLS_CERT/,
    );
  });
});

Deno.test("readMysqlTls() is off by default, on with MYSQL_TLS or a file, verification on unless refused", async () => {
  await withFiles({ "ca.pem": "ca" }, (path) => {
    assert.equal(readMysqlTls(new EnvReader({})), null);
    assert.deepEqual(readMysqlTls(new EnvReader({ MYSQL_TLS_CA: path("ca.pem") })), {
      caFile: path("ca.pem"),
      certFile: undefined,
      keyFile: undefined,
      verify: true,
    });
    assert.equal(
      readMysqlTls(new EnvReader({ MYSQL_TLS: "true", MYSQL_TLS_VERIFY: "false" }))?.verify,
      false,
    );
    configError(
      () => readMysqlTls(new EnvReader({ MYSQL_TLS: "false", MYSQL_TLS_CA: path("ca.pem") })),
      "MYSQL_TLS",
      /is false/,
    );
  });
});

Deno.test("every Kafka and MySQL user's config carries its security settings", async () => {
  await withFiles({ "ca.pem": "ca", "pw": "pw-from-file" }, (path) => {
    const env = {
      KAFKA_TLS_CA: path("ca.pem"),
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "tw",
      KAFKA_SASL_PASSWORD_FILE: path("pw"),
      MYSQL_TLS_CA: path("ca.pem"),
    };
    const sasl = { mechanism: "plain", username: "tw", password: "pw-from-file" };
    for (const c of [loadNotifierConfig(env), loadAlertSystemConfig(env)]) {
      assert.deepEqual(c.kafkaSecurity.sasl, sasl);
      assert.equal(c.kafkaSecurity.tls?.caFile, path("ca.pem"));
      assert.equal(c.mysqlTls?.caFile, path("ca.pem"));
    }
    assert.deepEqual(loadKafkaAdminConfig(env).kafkaSecurity.sasl, sasl);
    assert.equal(loadCommandServerConfig(env).mysqlTls?.caFile, path("ca.pem"));
  });
});
