/**
 * compose.secure.yaml, checked statically: its variables are read by the gRPC servers' config,
 * point at Docker secrets the service mounts and the file defines, and with those files in
 * place the servers get their tokens and TLS.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// deno-lint-ignore no-import-prefix -- as in compose_test.ts: deno.json is not this test's to edit
import { parse } from "npm:yaml@2.9.1";
import {
  COMMAND_SERVER_ENV,
  loadCommandServerConfig,
  loadNotifierConfig,
  loadQueryServerConfig,
  NOTIFIER_ENV,
} from "../../core/mod.ts";
import { testCertificates } from "../helpers/tls_certs.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface SecureService {
  environment: Record<string, string>;
  secrets: string[];
}

const secure = parse(Deno.readTextFileSync(`${ROOT}compose.secure.yaml`), { merge: true }) as {
  services: Record<string, SecureService>;
  secrets: Record<string, { file: string }>;
};

/** Variables compose.secure.yaml may set in plain text: none of them is a secret. */
const _PLAIN = new Set(["PUBLIC_BASE_URL"]);

/** `${VAR:-default}` as compose resolves it without VAR set. */
const _resolved = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");

Deno.test("compose.secure.yaml wires tokens and TLS of both gRPC servers and the link key through Docker secrets", async () => {
  assert.deepEqual(Object.keys(secure.services).sort(), ["command", "notifier", "query"]);
  await using certs = await testCertificates();
  const tokens = `${certs.dir}/tokens`;
  await Deno.writeTextFile(tokens, "first-token-0123456789\nsecond-token-0123456789\n");
  const files: Record<string, string> = {
    grpc_tokens: tokens,
    grpc_tls_cert: certs.serverCert,
    grpc_tls_key: certs.serverKey,
    link_signing_key: `${certs.dir}/link_signing_key`,
  };
  await Deno.writeTextFile(files.link_signing_key!, "k".repeat(48));
  for (const [name, service] of Object.entries(secure.services)) {
    const env: Record<string, string> = {};
    const known: readonly string[] = name === "notifier" ? NOTIFIER_ENV : COMMAND_SERVER_ENV;
    for (const [variable, value] of Object.entries(service.environment)) {
      assert.ok(known.includes(variable), `${name}: ${variable} is not read by the service`);
      if (_PLAIN.has(variable)) {
        env[variable] = _resolved(value);
        continue;
      }
      const secret = /^\/run\/secrets\/([a-z_]+)$/.exec(value)?.[1];
      assert.ok(secret, `${name}.${variable} must point into /run/secrets, got ${value}`);
      assert.ok(service.secrets.includes(secret), `${name} does not mount the secret ${secret}`);
      assert.ok(secure.secrets[secret]?.file.startsWith("./secrets/"), `secret ${secret} defined`);
      assert.ok(files[secret], `the test knows the secret ${secret}`);
      env[variable] = files[secret]!;
    }
    if (name === "notifier") {
      const notifier = loadNotifierConfig(env);
      assert.equal(notifier.links.baseUrl, "https://alerts.example.com");
      assert.equal(notifier.links.signingKey, "k".repeat(48));
      assert.equal(notifier.links.developmentKey, false);
      continue;
    }
    const load = name === "command" ? loadCommandServerConfig : loadQueryServerConfig;
    const config = load(env);
    if (name === "command") {
      assert.equal(config.consent.signingKey, "k".repeat(48));
      assert.equal(config.consent.baseUrl, "https://alerts.example.com");
    }
    assert.deepEqual(config.authTokens, ["first-token-0123456789", "second-token-0123456789"]);
    assert.deepEqual(config.tls, {
      certFile: certs.serverCert,
      keyFile: certs.serverKey,
      clientCaFile: undefined,
    });
  }
});
