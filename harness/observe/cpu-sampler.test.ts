// The CPU sampler against real processes: this process, and a real Postgres (as the `postgres` OS
// user when we are root), whose backends come and go.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../clock.ts';
import type { CpuSample } from '../model/records.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { CpuSampler } from './cpu-sampler.ts';
import { hasProc } from './proc-cpu.ts';

const delta = (samples: CpuSample[], name: string): number => samples.at(-1)!.components[name]! - samples[0]!.components[name]!;

/** CPU seconds of one process from /proc, as the kernel counts them. */
const processCpu = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const burn = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
};

describe.skipIf(!hasProc())('the CPU sampler on Linux', () => {
  let server: PostgresHandle;
  beforeAll(async () => {
    server = await startEmbeddedPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('should measure the harness process as the kernel does', () => {
    const sampler = new CpuSampler(() => []);
    const before = process.cpuUsage();
    sampler.start();
    burn(300);
    sampler.stop();
    const used = process.cpuUsage(before);
    const own = (used.user + used.system) / 1e6;
    // /proc counts in 10 ms ticks; anything else the harness started (e.g. esbuild) may add a little.
    expect(delta(sampler.samples, 'harness')).toBeGreaterThan(own - 0.03);
    expect(delta(sampler.samples, 'harness')).toBeLessThan(own + 0.1);
    expect(sampler.samples[0]!.machine!.total).toBeGreaterThan(0);
    expect(sampler.cores).toBeGreaterThanOrEqual(1);
  });

  it("should count a Postgres backend's CPU as Postgres, also after the backend has exited", async () => {
    const pid = server.serverPid!()!;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (process.getuid?.() === 0) expect(status).not.toMatch(/^Uid:\s+0\s/m); // runs as another OS user, and is still measured
    const sampler = new CpuSampler(() => [{ ref: { name: 'postgres', kind: 'postgres', label: 'Postgres' }, pid }]);
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    sampler.start();
    const backendBefore = processCpu(backend);
    await client.query('SELECT count(*) FROM generate_series(1, 4000000)');
    const backendUsed = processCpu(backend) - backendBefore;
    await client.end();
    // Wait until the postmaster has reaped it: its time is then only in the postmaster's count of reaped children.
    for (let i = 0; i < 100; i++) {
      try {
        readFileSync(`/proc/${backend}/stat`);
      } catch {
        break;
      }
      await sleep(20);
    }
    sampler.stop();
    expect(backendUsed).toBeGreaterThan(0.1);
    expect(delta(sampler.samples, 'postgres')).toBeGreaterThanOrEqual(backendUsed - 0.02);
    expect(sampler.notMeasured).toEqual([]);
  });

  it('should report a server it cannot see as not measured, never as zero', () => {
    const why = 'Postgres CPU: the docker provider does not say which processes on this machine are its server.';
    const sampler = new CpuSampler(() => [{ ref: { name: 'postgres', kind: 'postgres', label: 'Postgres' }, pid: null, whyNot: why }]);
    sampler.start();
    sampler.stop();
    expect(sampler.samples.every((s) => !('postgres' in s.components))).toBe(true);
    expect(sampler.notMeasured).toEqual([why]);
    expect(sampler.components.map((c) => c.name)).toEqual(['harness', 'postgres']);
  });
});
