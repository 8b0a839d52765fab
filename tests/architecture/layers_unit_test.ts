import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkLayers } from "../../scripts/check_layers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("checkLayers() finds no import against the layers in core/", async () => {
  assert.deepEqual(await checkLayers(ROOT), []);
});

Deno.test("checkLayers() reports back-up imports, cross-feature imports and drivers outside their adapter", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(`${root}/core/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${root}/core/${path}`, text);
    };
    await write("domain/ticker.ts", 'import { log } from "../log/logger.ts";\n');
    await write("log/logger.ts", "export const log = 1;\n");
    await write(
      "alerts/alert_system.ts",
      'import { Collector } from "../collector/collector.ts";\n',
    );
    await write("collector/collector.ts", 'import { Pool } from "mysql2/promise";\n');
    await write("mysql/db.ts", 'import type { Kafka } from "../kafka/client.ts";\n');
    await write("kafka/client.ts", 'export { Kafka } from "kafkajs";\n');
    await write("services/x.ts", 'import "../mysql/db.ts";\nimport "mysql2";\n');
    const found = (await checkLayers(root)).map((v) => `${v.file}: ${v.reason}`).sort();
    assert.deepEqual(found, [
      "core/alerts/alert_system.ts: features (core/alerts) may not import features (core/collector)",
      "core/collector/collector.ts: only core/mysql (and composition) may import the driver mysql2",
      "core/domain/ticker.ts: domain (core/domain) may not import plumbing (core/log)",
      "core/mysql/db.ts: adapters (core/mysql) may not import adapters (core/kafka)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
