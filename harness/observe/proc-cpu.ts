// CPU counters of the machine and of process trees. On Linux from /proc (readable for every user's
// processes, so a Postgres running as the `postgres` OS user is measured too); elsewhere only what
// Node itself offers (machine totals and this process), and the rest is reported as not measured.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export const hasProc = (): boolean => process.platform === 'linux' && existsSync('/proc/stat');

let ticks: number | undefined;
/** USER_HZ: the unit of /proc CPU times (100 on every common Linux build; asked once to be sure). */
const ticksPerSecond = (): number => {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
};

export interface MachineCpu {
  /** CPU seconds since boot over all cores: busy (user, nice, system, irq, softirq, steal) and total. */
  busy: number;
  total: number;
  cores: number;
}

/** Machine-wide counters: /proc/stat on Linux (steal counts as busy: the CPU was not ours), os.cpus() elsewhere. */
export function readMachineCpu(): MachineCpu | null {
  if (hasProc()) {
    const text = readFileSync('/proc/stat', 'utf8');
    const first = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    // guest and guest_nice are already inside user and nice.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = first;
    const hz = ticksPerSecond();
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: (total - idle - iowait) / hz, total: total / hz, cores: (text.match(/^cpu\d+ /gm) ?? []).length || os.cpus().length };
  }
  const cpus = os.cpus();
  if (!cpus.length) return null;
  let busy = 0;
  let total = 0;
  for (const c of cpus) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy: busy / 1000, total: total / 1000, cores: cpus.length };
}

export interface ProcEntry {
  ppid: number;
  /** utime + stime, seconds. */
  self: number;
  /** cutime + cstime: children it has waited for (exited backends of a postmaster), seconds. */
  reaped: number;
}

const parseStat = (text: string, hz: number): ProcEntry => {
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), self: (Number(f[11]) + Number(f[12])) / hz, reaped: (Number(f[13]) + Number(f[14])) / hz };
};

const readStat = (pid: number, hz: number): ProcEntry | null => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'), hz);
  } catch {
    return null; // exited meanwhile, or hidden from us (hidepid)
  }
};

/**
 * Reads /proc process tables cheaply on a busy machine: a process's parent never changes (short of
 * being re-parented to init, which keeps it outside our trees), so the stat of a process is read
 * once to learn its parent, and again only while it belongs to a tree we measure.
 */
export class ProcessTable {
  private readonly parents = new Map<number, number>();
  private readonly hz = ticksPerSecond();

  /** Current entries of the trees under `roots` (times read now), by pid. */
  read(roots: number[]): Map<number, ProcEntry> {
    const live = new Set<number>();
    const fresh = new Map<number, ProcEntry>();
    for (const name of readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      live.add(pid);
      if (this.parents.has(pid)) continue;
      const e = readStat(pid, this.hz);
      if (!e) continue;
      this.parents.set(pid, e.ppid);
      fresh.set(pid, e);
    }
    for (const pid of this.parents.keys()) if (!live.has(pid)) this.parents.delete(pid);
    const kids = new Map<number, number[]>();
    for (const [pid, ppid] of this.parents) {
      const list = kids.get(ppid);
      if (list) list.push(pid);
      else kids.set(ppid, [pid]);
    }
    const out = new Map<number, ProcEntry>();
    for (const root of roots) {
      for (const pid of treeOf(root, kids)) {
        if (out.has(pid)) continue;
        const e = fresh.get(pid) ?? readStat(pid, this.hz);
        if (e) out.set(pid, e);
      }
    }
    return out;
  }
}

export const childrenIndex = (table: Map<number, ProcEntry>): Map<number, number[]> => {
  const kids = new Map<number, number[]>();
  for (const [pid, e] of table) {
    const list = kids.get(e.ppid);
    if (list) list.push(pid);
    else kids.set(e.ppid, [pid]);
  }
  return kids;
};

/** A pid and all its live descendants. */
export const treeOf = (root: number, kids: Map<number, number[]>, skip: ReadonlySet<number> = new Set()): number[] => {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (skip.has(pid)) continue;
    out.push(pid);
    for (const k of kids.get(pid) ?? []) stack.push(k);
  }
  return out;
};

/**
 * CPU seconds of a process tree: every live process plus the children each has reaped, so a
 * backend that exits between two samples moves into its postmaster's count instead of vanishing.
 * `countRootReaped: false` for the harness, whose reaped children are app instances and Postgres.
 */
export const treeCpuSeconds = (pids: number[], table: Map<number, ProcEntry>, root: number, countRootReaped = true): number => {
  let sum = 0;
  for (const pid of pids) {
    const e = table.get(pid);
    if (!e) continue;
    sum += e.self + (pid === root && !countRootReaped ? 0 : e.reaped);
  }
  return sum;
};
