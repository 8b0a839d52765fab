import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { freshDatabase } from "../helpers/mysql.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The README's library example: the first ts block after the `library-example` marker. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const at = readme.indexOf("<!-- library-example -->");
  assert.ok(at >= 0, "README.md has no <!-- library-example --> marker");
  const block = readme.slice(at).match(/```ts\n([\s\S]*?)```/);
  assert.ok(block, "no ts block after the library-example marker");
  return block[1]!;
}

Deno.test("README's 'use core as a library' example runs as written and registers a user", async () => {
  const code = await readmeExample();
  assert.match(code, /from "@tickerwatch\/core"/);
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await using db = freshDatabase();
  try {
    await Deno.writeTextFile(file, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--config", `${ROOT}deno.json`, file],
      env: { MYSQL_URL: db.url },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `example failed:\n${stdout}\n${stderr}`);
    const [registered, latest] = stdout.trim().split("\n");
    assert.match(registered ?? "", /registered/i);
    assert.match(latest ?? "", /no (quote|value|price)/i);
  } finally {
    await Deno.remove(file);
  }
});
