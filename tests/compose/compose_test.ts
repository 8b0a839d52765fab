/**
 * compose.yaml and the Dockerfile, checked statically: no Docker engine runs on these machines.
 * The services, their variables, ports, healthchecks and start order must agree with the config
 * module (core/mod.ts), the build (scripts/build.ts), the local Kafka cluster (scripts/kafka/)
 * and the pinned Deno version (.ci/run).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// deno-lint-ignore no-import-prefix -- used by this test only; deno.json is not this test's to edit
import { parse } from "npm:yaml@2.9.1";
import {
  ALERT_SYSTEM_ENV,
  type AlertSystemConfig,
  COLLECTOR_ENV,
  type CollectorConfig,
  COMMAND_SERVER_ENV,
  type CommandServerConfig,
  type Env,
  KAFKA_ADMIN_ENV,
  type KafkaAdminConfig,
  loadAlertSystemConfig,
  loadCollectorConfig,
  loadCommandServerConfig,
  loadKafkaAdminConfig,
  loadNotifierConfig,
  loadQueryServerConfig,
  NOTIFIER_ENV,
  type NotifierConfig,
  parseHostPort,
  QUERY_SERVER_ENV,
  type QueryServerConfig,
  TOPIC_TO_ALERT_SYSTEM,
  TOPIC_TO_NOTIFIER,
} from "../../core/mod.ts";
import { SERVICE_EXECUTABLES } from "../../scripts/build.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`);

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: unknown[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const compose = parse(read("compose.yaml"), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `compose.yaml has no service ${name}`);
  return s;
};

/** What each tickerwatch service runs and reads. */
interface Expected {
  binary: string;
  args: string[];
  vars: readonly string[];
  /** Loads the config from the environment and asserts what compose means it to be. */
  check: (env: Env) => void;
  /** Port of METRICS_ADDR (/metrics, /healthz); absent for the one-shot init. */
  metricsPort?: number;
  grpcPort?: number;
}

const BROKERS = ["kafka1:9092", "kafka2:9092", "kafka3:9092"];
const MYSQL_HOST = "mysql";

/** MYSQL_URL points at the compose MySQL service and at the database it creates. */
function assertMysqlUrl(url: string): void {
  const u = new URL(url);
  assert.equal(u.hostname, MYSQL_HOST);
  assert.equal(u.pathname, `/${envOf("mysql").MYSQL_DATABASE}`);
}

const EXPECTED: Record<string, Expected> = {
  "kafka-admin": {
    binary: "kafka-admin",
    args: ["--once"],
    vars: KAFKA_ADMIN_ENV,
    check(env) {
      const c: KafkaAdminConfig = loadKafkaAdminConfig(env);
      assert.deepEqual(c.brokers, BROKERS);
      assert.equal(c.replicationFactor, 3);
      assert.equal(c.minInsyncReplicas, 2);
    },
  },
  "kafka-monitor": {
    binary: "kafka-admin",
    args: [],
    vars: KAFKA_ADMIN_ENV,
    metricsPort: 9106,
    check(env) {
      const c = loadKafkaAdminConfig(env);
      assert.deepEqual(c.brokers, BROKERS);
      assert.equal(c.monitorIntervalMs, 120_000);
    },
  },
  command: {
    binary: "command",
    args: [],
    vars: COMMAND_SERVER_ENV,
    metricsPort: 9101,
    grpcPort: 50051,
    check(env) {
      const c: CommandServerConfig = loadCommandServerConfig(env);
      assert.equal(c.grpcAddr, "0.0.0.0:50051");
      // One address for the original client: the command service hosts the queries too.
      assert.deepEqual(c.grpcServices, ["command", "query"]);
      assert.equal(c.responseLanguage, "en");
      assert.deepEqual(c.tickerCheck, { kind: "yahoo", timeoutMs: 2_000 }, "PRICE_SOURCE=yahoo");
      assertMysqlUrl(c.mysqlUrl);
    },
  },
  query: {
    binary: "query",
    args: [],
    vars: QUERY_SERVER_ENV,
    metricsPort: 9102,
    grpcPort: 50052,
    check(env) {
      const c: QueryServerConfig = loadQueryServerConfig(env);
      assert.equal(c.grpcAddr, "0.0.0.0:50052");
      assert.deepEqual(c.grpcServices, ["query"]);
      assertMysqlUrl(c.mysqlUrl);
    },
  },
  collector: {
    binary: "collector",
    args: [],
    vars: COLLECTOR_ENV,
    metricsPort: 9103,
    check(env) {
      const c: CollectorConfig = loadCollectorConfig(env);
      assert.equal(c.source.kind, "yahoo");
      assert.equal(c.intervalMs, 180_000);
      assert.deepEqual(c.kafkaBrokers, BROKERS);
      assertMysqlUrl(c.mysqlUrl);
    },
  },
  "alert-system": {
    binary: "alert-system",
    args: [],
    vars: ALERT_SYSTEM_ENV,
    metricsPort: 9104,
    check(env) {
      const c: AlertSystemConfig = loadAlertSystemConfig(env);
      assert.equal(c.mode, "edge");
      assert.deepEqual(c.kafkaBrokers, BROKERS);
      assertMysqlUrl(c.mysqlUrl);
    },
  },
  notifier: {
    binary: "notifier",
    args: [],
    vars: NOTIFIER_ENV,
    metricsPort: 9105,
    check(env) {
      const c: NotifierConfig = loadNotifierConfig(env);
      assert.equal(c.smtpUrl, "smtp://mailpit:1025");
      assert.equal(c.mailFrom, "tickerwatch <alerts@tickerwatch.local>");
      assert.deepEqual(c.brokers, BROKERS);
      assertMysqlUrl(c.mysqlUrl);
    },
  },
};
const INFRA = ["kafka1", "kafka2", "kafka3", "mysql", "mailpit"];
const LONG_RUNNING = Object.keys(EXPECTED).filter((n) => EXPECTED[n]!.metricsPort !== undefined);

/**
 * Compose's interpolation: `${VAR:-default}` and `${VAR-default}` take `vars[VAR]` or the default,
 * `$$` is a `$`. A variable without a default fails: compose.yaml must work without a .env file.
 */
function interpolate(value: string, where: string, vars: Record<string, string> = {}): string {
  return value.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, braced) => {
    if (all === "$$") return "$";
    const m = braced === undefined ? undefined : /^([A-Za-z_][A-Za-z0-9_]*):?-(.*)$/s.exec(braced);
    if (!m) throw new Error(`${where}: ${all} has no default`);
    return vars[m[1]!] ?? m[2]!;
  });
}

/** The raw `environment` of a service as a map; values must be strings or numbers. */
function rawEnv(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries: [string, unknown][] = Array.isArray(env)
    ? env.map((e) => [e.split("=")[0]!, e.slice(e.indexOf("=") + 1)])
    : Object.entries(env);
  return Object.fromEntries(entries.map(([k, v]) => {
    assert.ok(
      typeof v === "string" || typeof v === "number",
      `${name}.environment.${k} must be a string or a number (quote booleans), got ${v}`,
    );
    return [k, String(v)];
  }));
}

/** A service's environment as the container sees it when no variable is set (or `vars` are). */
function envOf(name: string, vars: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rawEnv(name)).map(([k, v]) => [k, interpolate(v, `${name}.${k}`, vars)]),
  );
}

/** Published ports as [host, container], from the short "host:container" form. */
function publishedPorts(name: string): [number, number][] {
  return (service(name).ports ?? []).map((p) => {
    const m = typeof p === "string" ? /^(?:[\d.]+:)?(\d+):(\d+)$/.exec(p) : null;
    assert.ok(m, `${name}.ports: use "host:container", got ${JSON.stringify(p)}`);
    return [Number(m[1]), Number(m[2])];
  });
}

function dependsOn(name: string): Record<string, string | undefined> {
  const deps = service(name).depends_on ?? {};
  assert.ok(!Array.isArray(deps), `${name}.depends_on must give a condition for each service`);
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition]));
}

function healthcheckCommand(name: string): string {
  const hc = service(name).healthcheck;
  assert.ok(hc?.test && !hc.disable, `${name} has a healthcheck`);
  return Array.isArray(hc.test) ? hc.test.join(" ") : hc.test;
}

Deno.test("compose.yaml parses and has exactly the expected services", () => {
  assert.deepEqual(
    Object.keys(services).sort(),
    [...INFRA, ...Object.keys(EXPECTED)].sort(),
  );
});

Deno.test("compose.yaml runs each tickerwatch service as a binary of scripts/build.ts from one image", () => {
  const binaries = SERVICE_EXECUTABLES.map((e) => e.name);
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const s = service(name);
    assert.equal(s.image, "tickerwatch:local", `${name}.image`);
    assert.equal(s.build, ".", `${name}.build`);
    assert.ok(binaries.includes(expected.binary), `${expected.binary} is built`);
    assert.deepEqual(s.command, [expected.binary, ...expected.args], `${name}.command`);
  }
  // Every binary but kafka-admin's init has a long-running service.
  assert.deepEqual(
    [...new Set(LONG_RUNNING.map((n) => EXPECTED[n]!.binary))].sort(),
    [...binaries].sort(),
  );
  assert.equal(service("kafka-admin").restart, "no");
});

Deno.test("compose.yaml sets only variables that each service's config module reads", () => {
  for (const [name, { vars }] of Object.entries(EXPECTED)) {
    const unknown = Object.keys(rawEnv(name)).filter((k) => !vars.includes(k));
    assert.deepEqual(unknown, [], `${name} sets variables its config does not read`);
  }
});

Deno.test("compose.yaml environments with their defaults pass each load…Config()", () => {
  for (const [name, { check }] of Object.entries(EXPECTED)) {
    try {
      check(envOf(name));
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
    }
  }
});

Deno.test("compose.yaml's documented overrides reach the config and stay valid", () => {
  const vars = {
    PRICE_SOURCE: "synthetic",
    COLLECT_INTERVAL: "5",
    ALERT_MODE: "level",
    LOG_LEVEL: "debug",
    MYSQL_ROOT_PASSWORD: "s3cret",
    MAIL_FROM: "Alerts <a@example.org>",
    RESPONSE_LANGUAGE: "it",
  };
  const collector = loadCollectorConfig(envOf("collector", vars));
  assert.equal(collector.source.kind, "synthetic");
  assert.equal(collector.intervalMs, 5_000);
  assert.equal(collector.logLevel, "debug");
  assert.equal(new URL(collector.mysqlUrl).password, "s3cret");
  assert.equal(loadAlertSystemConfig(envOf("alert-system", vars)).mode, "level");
  assert.equal(loadNotifierConfig(envOf("notifier", vars)).mailFrom, "Alerts <a@example.org>");
  assert.equal(envOf("mysql", vars).MYSQL_ROOT_PASSWORD, "s3cret");
  const command = loadCommandServerConfig(envOf("command", vars));
  assert.equal(command.responseLanguage, "it");
  assert.equal(command.tickerCheck, null, "synthetic prices: no ticker check");
  assert.equal(loadQueryServerConfig(envOf("query", vars)).responseLanguage, "it");
});

Deno.test("compose.yaml publishes the gRPC ports that GRPC_ADDR binds", () => {
  for (const [name, { grpcPort }] of Object.entries(EXPECTED)) {
    if (grpcPort === undefined) continue;
    const { port } = parseHostPort(envOf(name).GRPC_ADDR!, "GRPC_ADDR");
    assert.equal(port, grpcPort, `${name} GRPC_ADDR`);
    assert.ok(
      publishedPorts(name).some(([h, c]) => h === grpcPort && c === grpcPort),
      `${name} publishes ${grpcPort}`,
    );
  }
});

Deno.test("compose.yaml checks each long-running service's /healthz on its published METRICS_ADDR port", () => {
  for (const name of LONG_RUNNING) {
    const expected = EXPECTED[name]!.metricsPort!;
    const { port } = parseHostPort(envOf(name).METRICS_ADDR ?? "", "METRICS_ADDR");
    assert.equal(port, expected, `${name} METRICS_ADDR`);
    assert.ok(
      publishedPorts(name).some(([h, c]) => h === expected && c === expected),
      `${name} publishes ${expected}`,
    );
    assert.match(
      healthcheckCommand(name),
      new RegExp(`^CMD curl .*http://127\\.0\\.0\\.1:${port}/healthz$`),
    );
  }
  assert.match(read("Dockerfile"), /apt-get install [^\n]*\bcurl\b/, "the image has curl");
});

Deno.test("compose.yaml has healthchecks for MySQL, Mailpit and the brokers", () => {
  assert.match(healthcheckCommand("mysql"), /mysqladmin ping/);
  assert.match(healthcheckCommand("mailpit"), /readyz/);
  for (const b of ["kafka1", "kafka2", "kafka3"]) {
    assert.match(
      healthcheckCommand(b),
      /kafka-broker-api-versions\.sh --bootstrap-server localhost:9092/,
    );
  }
});

Deno.test("compose.yaml starts services after kafka-admin completed and after healthy dependencies", () => {
  assert.deepEqual(dependsOn("kafka-admin"), {
    kafka1: "service_healthy",
    kafka2: "service_healthy",
    kafka3: "service_healthy",
  });
  for (const name of Object.keys(services)) {
    for (const [dep, condition] of Object.entries(dependsOn(name))) {
      assert.ok(services[dep], `${name} depends on ${dep}, which exists`);
      if (dep === "kafka-admin") {
        assert.equal(condition, "service_completed_successfully", `${name} → ${dep}`);
      } else {
        assert.equal(condition, "service_healthy", `${name} → ${dep}`);
        healthcheckCommand(dep);
      }
    }
  }
  for (const name of Object.keys(EXPECTED).filter((n) => n !== "kafka-admin")) {
    const env = rawEnv(name);
    const deps = dependsOn(name);
    if (env.KAFKA_BROKERS) assert.ok(deps["kafka-admin"], `${name} waits for kafka-admin`);
    if (env.MYSQL_URL) assert.ok(deps.mysql, `${name} waits for mysql`);
    if (env.SMTP_URL) assert.ok(deps.mailpit, `${name} waits for mailpit`);
  }
});

Deno.test("compose.yaml names only the contract's topics", () => {
  const contract: Record<string, string> = {
    TOPIC_TO_ALERT_SYSTEM,
    TOPIC_TO_NOTIFIER,
  };
  for (const name of Object.keys(EXPECTED)) {
    for (const [k, v] of Object.entries(envOf(name))) {
      if (k.startsWith("TOPIC_")) assert.equal(v, contract[k], `${name}.${k}`);
    }
  }
});

Deno.test("compose.yaml's brokers are apache/kafka at scripts/kafka/pom.xml's version, 3 KRaft nodes", () => {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read("scripts/kafka/pom.xml"))
    ?.[1];
  assert.ok(version, "pom.xml names kafka.version");
  const voters = BROKERS.map((b, i) => `${i + 1}@${b.replace(":9092", ":9093")}`).join(",");
  const clusterIds = new Set<string>();
  ["kafka1", "kafka2", "kafka3"].forEach((name, i) => {
    assert.equal(service(name).image, `apache/kafka:${version}`);
    const env = envOf(name);
    assert.equal(env.KAFKA_NODE_ID, String(i + 1));
    assert.equal(env.KAFKA_PROCESS_ROLES, "broker,controller");
    assert.equal(env.KAFKA_CONTROLLER_QUORUM_VOTERS, voters);
    assert.equal(env.KAFKA_ADVERTISED_LISTENERS, `PLAINTEXT://${BROKERS[i]}`);
    assert.ok(env.CLUSTER_ID, `${name} has a CLUSTER_ID`);
    clusterIds.add(env.CLUSTER_ID);
  });
  assert.equal(clusterIds.size, 1, "the three nodes share one CLUSTER_ID");
  for (const name of Object.keys(EXPECTED)) {
    const brokers = envOf(name).KAFKA_BROKERS;
    if (brokers !== undefined) assert.equal(brokers, BROKERS.join(","), `${name} KAFKA_BROKERS`);
  }
});

Deno.test("compose.yaml's brokers carry the settings of scripts/kafka/node.properties.template", () => {
  // Addresses and paths differ on purpose (loopback ports there, service names here).
  const perNode = [
    "node.id",
    "controller.quorum.voters",
    "listeners",
    "advertised.listeners",
    "log.dirs",
  ];
  const template = read("scripts/kafka/node.properties.template").split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const)
    .filter(([k]) => !perNode.includes(k));
  assert.ok(template.length > 20, "the template has settings");
  // The image's rule: "_" → "__", "-" → "___", "." → "_", upper case, prefix KAFKA_.
  const variable = (key: string) =>
    "KAFKA_" + key.replaceAll("_", "__").replaceAll("-", "___").replaceAll(".", "_").toUpperCase();
  for (const name of ["kafka1", "kafka2", "kafka3"]) {
    const env = envOf(name);
    for (const [key, value] of template) {
      assert.equal(env[variable(key)], value, `${name} ${variable(key)} (${key})`);
    }
  }
});

Deno.test("compose.yaml's MySQL is 8.4 with a 1G buffer pool and the database MYSQL_URL names", () => {
  const mysql = service("mysql");
  assert.equal(mysql.image, "mysql:8.4");
  assert.ok(mysql.command?.includes("--innodb-buffer-pool-size=1G"), "buffer pool 1G");
  const raw = rawEnv("mysql");
  assert.equal(raw.MYSQL_DATABASE, "tickerwatch");
  for (const name of Object.keys(EXPECTED)) {
    const url = rawEnv(name).MYSQL_URL;
    if (url === undefined) continue;
    // The same password expression as the server's, so one variable changes both.
    assert.equal(
      url,
      `mysql://root:${raw.MYSQL_ROOT_PASSWORD}@${MYSQL_HOST}:3306/${raw.MYSQL_DATABASE}`,
      `${name} MYSQL_URL`,
    );
  }
});

Deno.test("compose.yaml publishes Mailpit's UI, and no host port twice", () => {
  assert.ok(publishedPorts("mailpit").some(([h, c]) => h === 8025 && c === 8025));
  const hostPorts = Object.keys(services).flatMap((n) => publishedPorts(n).map(([h]) => h));
  assert.equal(new Set(hostPorts).size, hostPorts.length, `host ports ${hostPorts.join(", ")}`);
});

Deno.test("Dockerfile builds with Deno 2.8.3, the version .ci/run installs", () => {
  const dockerfile = read("Dockerfile");
  const image = /^FROM denoland\/deno:(\S+) AS build$/m.exec(dockerfile)?.[1];
  const ci = /^DENO_VERSION=(\S+)$/m.exec(read(".ci/run"))?.[1];
  assert.equal(image, "2.8.3");
  assert.equal(image, ci);
  assert.match(dockerfile, /denoland\/deno#36788/, "the pin says why");
});

Deno.test("Dockerfile puts the binaries of scripts/build.ts in /usr/local/bin and runs as non-root", () => {
  const dockerfile = read("Dockerfile");
  assert.match(dockerfile, /^RUN deno run [^\n]* scripts\/build\.ts --out dist$/m);
  assert.match(dockerfile, /^COPY --from=build \/src\/dist\/ \/usr\/local\/bin\/$/m);
  const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user} is not root`);
});
