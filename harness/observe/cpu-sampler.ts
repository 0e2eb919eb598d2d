// Samples CPU counters on the run's monotonic clock: the whole machine, the harness process (load
// driver and observers), every app instance's process tree and the Postgres server's. Which pids
// are an app instance or the server is asked each time (a deploy replaces instances); a provider
// whose server is not on this machine gives no pid, and that is reported as not measured.
import { now } from '../clock.ts';
import type { CpuComponentRef, CpuSample } from '../model/records.ts';
import { childrenIndex, hasProc, ProcessTable, readMachineCpu, treeCpuSeconds, treeOf } from './proc-cpu.ts';

export interface CpuSource {
  ref: CpuComponentRef;
  /** Root of the component's process tree on this machine; null when it is not here (say why). */
  pid: number | null;
  whyNot?: string;
}

const HARNESS: CpuComponentRef = { name: 'harness', kind: 'harness', label: 'harness (load driver, observers)' };

export class CpuSampler {
  readonly samples: CpuSample[] = [];
  private readonly refs = new Map<string, CpuComponentRef>([[HARNESS.name, HARNESS]]);
  private readonly notes = new Set<string>();
  private readonly seen = new Set<number>();
  private readonly procs = hasProc() ? new ProcessTable() : null;
  private timer: NodeJS.Timeout | null = null;
  cores = 0;
  /** CPU time spent sampling, ms: the sampler's own cost to the harness. */
  costMs = 0;

  constructor(private readonly sources: () => CpuSource[], readonly intervalMs = 250) {}

  get components(): CpuComponentRef[] {
    return [...this.refs.values()];
  }

  get notMeasured(): string[] {
    return [...this.notes];
  }

  start(): void {
    if (!hasProc()) {
      this.notes.add(`CPU of app instances and Postgres is not measured on ${process.platform} (it is read from Linux /proc); machine and harness CPU are.`);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  private sample(): void {
    const cpu0 = process.cpuUsage();
    let machine: CpuSample['machine'] = null;
    try {
      const m = readMachineCpu();
      if (m) {
        this.cores = m.cores;
        machine = { busy: m.busy, total: m.total };
      }
    } catch {
      // a gap, not a zero
    }
    const components: Record<string, number> = {};
    const sources = this.sources();
    for (const s of sources) {
      this.refs.set(s.ref.name, s.ref);
      if (s.pid === null && s.whyNot) this.notes.add(s.whyNot);
    }
    if (this.procs) {
      try {
        this.readTrees(this.procs, sources, components);
      } catch {
        // /proc unreadable this time: a gap
      }
    } else {
      const u = process.cpuUsage();
      components[HARNESS.name] = (u.user + u.system) / 1e6;
    }
    this.samples.push({ t: now(), machine, components });
    const cost = process.cpuUsage(cpu0);
    this.costMs += (cost.user + cost.system) / 1000;
  }

  private readTrees(procs: ProcessTable, sources: CpuSource[], out: Record<string, number>): void {
    const roots = [process.pid, ...sources.flatMap((s) => (s.pid === null ? [] : [s.pid]))];
    const table = procs.read(roots);
    const kids = childrenIndex(table);
    const claimed = new Set<number>();
    for (const s of sources) {
      if (s.pid === null) continue;
      if (!table.has(s.pid)) {
        // Gone (an instance that just exited) or hidden from us: not a zero either way.
        if (!this.seen.has(s.pid)) this.notes.add(`${s.ref.label}: process ${s.pid} is not visible in /proc (mounted with hidepid, or another PID namespace), so its CPU is not measured.`);
        continue;
      }
      this.seen.add(s.pid);
      const tree = treeOf(s.pid, kids);
      for (const p of tree) claimed.add(p);
      out[s.ref.name] = treeCpuSeconds(tree, table, s.pid);
    }
    // The harness: this process and helpers it started (e.g. tsx's esbuild), not the components it
    // started; the children it reaped are app instances and Postgres, counted there already.
    const self = process.pid;
    out[HARNESS.name] = treeCpuSeconds(treeOf(self, kids, claimed), table, self, false);
  }
}
