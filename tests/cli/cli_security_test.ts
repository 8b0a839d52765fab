/**
 * The CLI against a command server process that hosts both services over TLS with bearer tokens,
 * whose secrets (tokens, the MySQL password) come from *_FILE variables: the CLI gets in only
 * with the token and the right CA, and no secret shows in the server's logs or /metrics.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { CLI_EXECUTABLE, ROOT } from "../../scripts/build.ts";
import { freshDatabase, TEST_MYSQL_SERVER } from "../helpers/mysql.ts";
import { ServiceProcess } from "../helpers/processes.ts";
import { testCertificates } from "../helpers/tls_certs.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...CLI_EXECUTABLE.permissions, CLI_EXECUTABLE.entry, ...args],
    cwd: ROOT,
    env: {
      NO_COLOR: "1",
      TICKERWATCH_COMMAND_ADDR: "",
      TICKERWATCH_QUERY_ADDR: "",
      TICKERWATCH_TOKEN: "",
      TICKERWATCH_CA_FILE: "",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  const stderr = dec.decode(out.stderr);
  const lines = stdout.trim().split("\n");
  const json = lines.length === 1 && lines[0]!.startsWith("{") ? JSON.parse(lines[0]!) : undefined;
  return { code: out.code, stdout, stderr, json: json as Record<string, unknown> | undefined };
}

/** A MySQL user with a password, allowed on one database; dropped on dispose. */
async function mysqlUserWithPassword(database: string) {
  const user = `tw_sec_${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const admin = await mysql.createConnection({ uri: TEST_MYSQL_SERVER });
  await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
  await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@'%'`, [user]);
  await admin.end();
  const server = new URL(TEST_MYSQL_SERVER);
  return {
    password,
    url: `mysql://${user}:${encodeURIComponent(password)}@${server.host}/${database}`,
    async [Symbol.asyncDispose]() {
      const c = await mysql.createConnection({ uri: TEST_MYSQL_SERVER });
      await c.query(`DROP USER IF EXISTS ?@'%'`, [user]);
      await c.end();
    },
  };
}

Deno.test(
  "tickerwatch CLI with --token and --ca-file against a TLS + token server; no secret in its logs or /metrics",
  opts,
  async () => {
    await using certs = await testCertificates();
    await using db = freshDatabase();
    await using dbUser = await mysqlUserWithPassword(new URL(db.url).pathname.slice(1));
    const token = `tok-${crypto.randomUUID()}`;
    const wrongToken = `wrong-${crypto.randomUUID()}`;
    await Deno.writeTextFile(`${certs.dir}/tokens`, `${token}\n`);
    await Deno.writeTextFile(`${certs.dir}/mysql_url`, dbUser.url);
    const serverKey = (await Deno.readTextFile(certs.serverKey)).split("\n")[1]!;

    const server = new ServiceProcess("command_server", {
      GRPC_ADDR: "127.0.0.1:0",
      GRPC_SERVICES: "command,query",
      MYSQL_URL_FILE: `${certs.dir}/mysql_url`,
      GRPC_AUTH_TOKENS_FILE: `${certs.dir}/tokens`,
      GRPC_TLS_CERT: certs.serverCert,
      GRPC_TLS_KEY: certs.serverKey,
      LOG_LEVEL: "debug",
    });
    try {
      const [port, metricsPort] = await Promise.all([server.grpcPort(), server.metricsPort()]);
      const addr = [`--command-addr=127.0.0.1:${port}`, `--query-addr=127.0.0.1:${port}`];
      const tls = ["--ca-file", certs.caCert, "--server-name", "localhost"];
      const email = `sec-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const register = [
        "register",
        "--email",
        email,
        "--ticker",
        "AAPL",
        "--high",
        "300",
        "--json",
      ];

      const ok = await cli([...register, ...addr, ...tls, "--token", token]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal(ok.json?.code, "OK");

      const viaEnv = await cli([
        "latest",
        "--email",
        email,
        "--json",
        ...addr,
        "--server-name",
        "localhost",
      ], {
        TICKERWATCH_TOKEN: token,
        TICKERWATCH_CA_FILE: certs.caCert,
      });
      assert.notEqual(viaEnv.json?.code, "UNAUTHENTICATED", viaEnv.stdout + viaEnv.stderr);
      assert.notEqual(viaEnv.json?.code, "UNAVAILABLE", viaEnv.stdout + viaEnv.stderr);

      for (const extra of [[], ["--token", wrongToken]]) {
        const refused = await cli([...register, ...addr, ...tls, ...extra]);
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.equal(refused.json?.code, "UNAUTHENTICATED");
      }
      const wrongCa = await cli([
        ...register,
        ...addr,
        "--ca-file",
        certs.wrongCaCert,
        "--server-name",
        "localhost",
        "--token",
        token,
        "--retries",
        "0",
      ]);
      assert.equal(wrongCa.code, 3, wrongCa.stdout + wrongCa.stderr);
      assert.equal(wrongCa.json?.code, "UNAVAILABLE");

      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      assert.match(metrics, /grpc/);
      for (const secret of [token, wrongToken, dbUser.password, serverKey]) {
        assert.ok(!metrics.includes(secret), "a secret in /metrics");
      }
    } finally {
      await server.stop();
    }
    const logs = server.lines.join("\n");
    assert.match(logs, /call refused/, "the refusals are logged");
    assert.match(logs, /"tls":true/, "the server says it speaks TLS");
    for (
      const [what, secret] of Object.entries({
        token,
        wrongToken,
        mysqlPassword: dbUser.password,
        encodedMysqlPassword: encodeURIComponent(dbUser.password),
        serverKey,
      })
    ) {
      assert.ok(!logs.includes(secret), `${what} appears in the server's logs`);
    }
  },
);
