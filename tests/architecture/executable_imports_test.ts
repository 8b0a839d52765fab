/**
 * Each executable loads at start only the npm packages of what it runs: the static import graph
 * of `executables/<name>.ts` (from `deno info --json`, dynamic imports left out: they load only
 * when a setting asks for them) must not reach another service's drivers. A package's code stays
 * in the process's memory for its whole life (module source and bytecode), so a stray import of
 * core/mod.ts made every service load all of them: 130+ MiB idle RSS instead of 80–115.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** npm packages that cost a service memory when loaded without need. */
const PACKAGES = [
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "kafkajs",
  "nodemailer",
  "yahoo-finance2",
  "mysql2",
  "zod",
  "validator",
  "lru-cache",
  "prom-client",
] as const;

interface _Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}

/** The static import closure of `file`: its local modules and the npm packages their code imports. */
async function staticGraph(file: string): Promise<{ modules: Set<string>; npm: Set<string> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", file],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: _Dependency[] }[];
  };
  const deps = new Map(info.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const root = info.roots[0]!;
  const modules = new Set([root]);
  const npm = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    for (const dep of deps.get(queue.pop()!) ?? []) {
      // Type-only imports (no `code`) and dynamic imports load nothing at start.
      if (dep.isDynamic || !dep.code) continue;
      const pkg = PACKAGES.find((p) =>
        dep.specifier === p || dep.specifier.startsWith(`${p}/`) ||
        dep.specifier.startsWith(`npm:${p}@`)
      );
      if (pkg) npm.add(pkg);
      const target = dep.code.specifier;
      if (target.startsWith("file:") && !modules.has(target)) {
        modules.add(target);
        queue.push(target);
      }
    }
  }
  return { modules, npm };
}

/** What each executable must not load at start. */
const MUST_NOT_LOAD: Record<string, readonly string[]> = {
  // The command side (kafkajs relay, Yahoo check, zod, lru-cache) is loaded when hosted.
  query_server: ["kafkajs", "nodemailer", "yahoo-finance2", "zod", "lru-cache"],
  command_server: ["nodemailer", "yahoo-finance2", "zod"],
  // Yahoo only with PRICE_SOURCE=yahoo; the collector writes messages but validates none.
  collector: ["@grpc/grpc-js", "nodemailer", "yahoo-finance2", "zod", "validator", "lru-cache"],
  // The message schemas are written out (core/messages/message_checks.ts): no zod anywhere.
  alert_system: ["@grpc/grpc-js", "nodemailer", "yahoo-finance2", "zod", "validator", "lru-cache"],
  notifier: ["@grpc/grpc-js", "@grpc/proto-loader", "yahoo-finance2", "zod"],
  kafka_admin: [
    "@grpc/grpc-js",
    "nodemailer",
    "yahoo-finance2",
    "mysql2",
    "zod",
    "validator",
    "lru-cache",
  ],
  cli: ["kafkajs", "nodemailer", "yahoo-finance2", "mysql2", "prom-client", "zod"],
};

Deno.test("the import graph reader sees every package core/mod.ts loads", async () => {
  // Proves the check below can fail: the whole library reaches all of them but zod, which no
  // module of core/ imports any more (the tests still use it).
  const { npm } = await staticGraph("core/mod.ts");
  assert.deepEqual([...npm].sort(), PACKAGES.filter((p) => p !== "zod").sort());
  assert.ok((await staticGraph("tests/messages/message_schemas_unit_test.ts")).npm.has("zod"));
});

for (const [name, forbidden] of Object.entries(MUST_NOT_LOAD)) {
  Deno.test(`executables/${name}.ts loads neither core/mod.ts nor ${forbidden.join(", ")}`, async () => {
    const { modules, npm } = await staticGraph(`executables/${name}.ts`);
    assert.ok(
      ![...modules].some((m) => m.endsWith("/core/mod.ts")),
      `${name} imports core/mod.ts (the whole library)`,
    );
    const loaded = forbidden.filter((p) => npm.has(p));
    assert.deepEqual(loaded, [], `${name} loads ${loaded.join(", ")} at start`);
  });
}

Deno.test("the command side a user server loads on demand brings neither mail nor Yahoo", async () => {
  const { npm } = await staticGraph("core/services/_command_wiring.ts");
  assert.ok(
    !npm.has("nodemailer") && !npm.has("yahoo-finance2") && !npm.has("zod"),
    [...npm].join(),
  );
});
