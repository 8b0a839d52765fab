import assert from "node:assert/strict";
import { portHolder, portsOf } from "../../scripts/demo/listening_sockets.ts";
import { checkPort } from "../../scripts/demo/preflight.ts";

Deno.test("portHolder() names the process listening on a port; checkPort() puts it in its line", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const holder = await portHolder(port);
  assert.equal(holder?.pid, Deno.pid);
  assert.match(holder?.command ?? "", /deno/);
  assert.ok((await portsOf(Deno.pid)).includes(port));
  const check = await checkPort({ port, what: "test port" });
  assert.equal(check.ok, false);
  assert.match(
    check.line,
    new RegExp(`^port ${port} \\(test port\\) is taken by pid ${Deno.pid} `),
  );
  assert.match(check.line, /--ephemeral-ports$/);
});

Deno.test("checkPort() passes for a free port", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  assert.deepEqual(await checkPort({ port, what: "test port" }), {
    ok: true,
    subject: `port ${port}`,
    line: `port ${port} (test port) is free`,
  });
});
