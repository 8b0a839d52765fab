import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { randomName } from "../_kafka.ts";
import { freshDatabase } from "../helpers/mysql.ts";

const DEMO = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));
Deno.test("deno task demo --cycles 3 runs the whole system and mails arrive", async () => {
  await using db = freshDatabase("tw_demo");
  const dir = await Deno.makeTempDir({ prefix: "tw-demo-" });
  const prefix = randomName("demo");
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", DEMO, "--cycles", "3", "--interval", "2", "--ephemeral-ports"],
      env: {
        MYSQL_URL: db.url,
        DEMO_DIR: dir,
        TOPIC_TO_ALERT_SYSTEM: `${prefix}.to-alert-system`,
        TOPIC_TO_NOTIFIER: `${prefix}.to-notifier`,
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /cycle 3: \d+ quotes/);
    const summary = /summary: 3 cycles, \d+ quotes, (\d+) alerts, (\d+) emails/.exec(stdout);
    assert.ok(summary, stdout);
    assert.ok(
      Number(summary[2]) >= 3,
      "the scripted prices cross at least three thresholds in 3 cycles",
    );
    assert.equal(summary[2], summary[1], "one mail per alert");
    // The mails are saved as files, one per mail.
    const folders = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("mail-"));
    assert.equal(folders.length, 1);
    const files = [...Deno.readDirSync(`${dir}/${folders[0]!.name}`)].map((e) => e.name).sort();
    assert.equal(files.length, Number(summary[2]));
    const first = await Deno.readTextFile(`${dir}/${folders[0]!.name}/${files[0]}`);
    assert.match(first, /^Subject: .*(rose above|fell below)/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
