/**
 * CPU time spent by the processes of this machine between two snapshots, grouped as the
 * benchmarks need it: the Kafka brokers, MariaDB, and each given process (by pid). Read from
 * /proc/<pid>/stat (utime + stime of the process and of the children it waited for not included);
 * Linux only. Used to say what bounds a figure: on this 2-core machine, a run whose processes
 * together used close to 2 × its wall time of CPU was bound by the CPU they share.
 */

/** CPU seconds per group at one moment. */
export type CpuSnapshot = Map<string, number>;

const _TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this project runs on

function _cpuOf(pid: string): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / _TICKS_PER_SECOND;
  } catch {
    return undefined; // gone meanwhile
  }
}

function _groupOf(pid: string, named: Map<number, string>): string | undefined {
  const own = named.get(Number(pid));
  if (own) return own;
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    if (cmdline.includes("kafka.Kafka")) return "Kafka brokers";
    if (cmdline.startsWith("/usr/sbin/mariadbd") || cmdline.includes("mysqld")) return "MariaDB";
  } catch {
    // gone meanwhile
  }
  return undefined;
}

/**
 * CPU seconds used so far by the brokers, MariaDB and each process of `named` (pid → name;
 * `Deno.pid` is a good one to name: the benchmark itself).
 */
export function cpuSnapshot(named: Map<number, string>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const group = _groupOf(entry.name, named);
    if (!group) continue;
    const cpu = _cpuOf(entry.name);
    if (cpu !== undefined) snapshot.set(group, (snapshot.get(group) ?? 0) + cpu);
  }
  return snapshot;
}

/** CPU seconds per group between `before` and `after`, largest first. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): [string, number][] {
  return [...after]
    .map(([group, s]): [string, number] => [group, s - (before.get(group) ?? 0)])
    .sort((a, b) => b[1] - a[1]);
}

/**
 * "Kafka brokers 1.23 s, alert system 0.40 s, … = 1.9 s of CPU in 1.1 s (2 cores: 86 % busy)".
 */
export function describeCpu(spent: [string, number][], wallSeconds: number): string {
  const total = spent.reduce((n, [, s]) => n + s, 0);
  const cores = navigator.hardwareConcurrency;
  const busy = Math.round((100 * total) / (cores * wallSeconds));
  return `${spent.map(([g, s]) => `${g} ${s.toFixed(2)} s`).join(", ")} = ${
    total.toFixed(2)
  } s of CPU in ${wallSeconds.toFixed(2)} s (${cores} cores: ${busy} % of them busy)`;
}
