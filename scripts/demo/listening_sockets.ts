/**
 * Which process listens on a TCP port, read from /proc/net/tcp{,6} and /proc/<pid>/fd (Linux),
 * falling back to `ss -ltnp` when /proc does not tell: the demo's pre-flight names the process
 * holding a port it needs.
 */

/** A listening TCP socket and, when it can be found, the process that holds it. */
export interface ListeningSocket {
  /** The local port. */
  readonly port: number;
  /** The process id, when found. */
  readonly pid?: number;
  /** The process's command line (shortened), when found. */
  readonly command?: string;
}

const _LISTEN = "0A";

/** The listening TCP sockets of this machine (IPv4 and IPv6), with their processes if found. */
export async function listeningSockets(): Promise<ListeningSocket[]> {
  const byInode = new Map<string, number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue;
    }
    for (const row of text.split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== _LISTEN) continue;
      const port = parseInt(cols[1]!.split(":")[1]!, 16);
      byInode.set(cols[9]!, port);
    }
  }
  const owners = await _socketOwners(new Set(byInode.keys()));
  const sockets: ListeningSocket[] = [];
  for (const [inode, port] of byInode) {
    const pid = owners.get(inode);
    const command = pid === undefined ? undefined : await _command(pid);
    sockets.push({
      port,
      ...(pid !== undefined && { pid }),
      ...(command !== undefined && { command }),
    });
  }
  return sockets;
}

/**
 * The process listening on TCP `port`, or undefined when none can be named (no permission to
 * read its /proc entries and no `ss`).
 */
export async function portHolder(port: number): Promise<ListeningSocket | undefined> {
  const found = (await listeningSockets()).find((s) => s.port === port && s.pid !== undefined);
  return found ?? await _ssHolder(port);
}

/** The listening ports of process `pid`. */
export async function portsOf(pid: number): Promise<number[]> {
  const ports = (await listeningSockets()).filter((s) => s.pid === pid).map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

async function _socketOwners(inodes: Set<string>): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  if (inodes.size === 0) return owners;
  for await (const proc of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(proc.name)) continue;
    try {
      for await (const fd of Deno.readDir(`/proc/${proc.name}/fd`)) {
        const target = await Deno.readLink(`/proc/${proc.name}/fd/${fd.name}`).catch(() => "");
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) owners.set(inode, Number(proc.name));
      }
    } catch {
      // another user's process, or gone meanwhile
    }
  }
  return owners;
}

async function _command(pid: number): Promise<string | undefined> {
  try {
    const raw = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    const line = raw.split("\0").filter(Boolean).join(" ").replace(/\s+/g, " ");
    return line.length > 80 ? `${line.slice(0, 77)}...` : line;
  } catch {
    return undefined;
  }
}

async function _ssHolder(port: number): Promise<ListeningSocket | undefined> {
  try {
    const out = await new Deno.Command("ss", {
      args: ["-Hltnp", `sport = :${port}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(text);
    return m ? { port, pid: Number(m[2]), command: m[1]! } : undefined;
  } catch {
    return undefined;
  }
}
