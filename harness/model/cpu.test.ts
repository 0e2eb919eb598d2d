import { describe, expect, it } from 'vitest';
import { cpuUse, saturatedWithin, secondRanges } from './cpu.ts';
import type { CpuSample } from './records.ts';

/** Samples every 250 ms from 0 to endMs; `at(t)` gives the cumulative counters at t. */
const sampled = (endMs: number, at: (t: number) => Omit<CpuSample, 't'>): CpuSample[] => {
  const out: CpuSample[] = [];
  for (let t = 0; t <= endMs; t += 250) out.push({ t, ...at(t) });
  return out;
};

const base = { components: [{ name: 'app-1', kind: 'app' as const, label: 'app-1' }], cores: 2, intervalMs: 250, runStartMs: 0, steady: null };

describe('CPU per second', () => {
  it('should turn cumulative counters into cores per second and mark saturated seconds', () => {
    // 1 core busy for 2 s, then both cores for 2 s; the app uses half a core throughout.
    const busyAt = (t: number) => (t <= 2000 ? t / 1000 : 2 + ((t - 2000) / 1000) * 2);
    const samples = sampled(4000, (t) => ({ machine: { busy: busyAt(t), total: (t / 1000) * 2 }, components: { 'app-1': t / 2000 } }));
    const cpu = cpuUse({ ...base, samples, runEndMs: 4000 });
    expect(cpu.machine).toEqual([1, 1, 2, 2]);
    expect(cpu.saturatedSeconds).toEqual([2, 3]);
    expect(cpu.components[0]!.cores).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(cpu.components[0]!.cpuSeconds).toBe(2);
  });

  it('should leave a second unmeasured (null), never zero, when samples are missing', () => {
    const samples = sampled(4000, (t) => ({ machine: t >= 1000 && t < 3000 ? null : { busy: t / 1000, total: t / 500 }, components: {} }));
    const cpu = cpuUse({ ...base, samples, runEndMs: 4000 });
    expect(cpu.machine[1]).toBeNull();
    expect(cpu.machine[2]).toBeNull();
    expect(cpu.components[0]!.cores).toEqual([null, null, null, null]);
  });

  it('should count a process only for the part of a second it was alive, and never count backwards', () => {
    // app-1 appears at 1.5 s and uses a full core; at 2.5 s a child with 0.4 s of CPU leaves its tree
    // without being reaped into it: the counter drops, and that interval adds nothing rather than minus.
    const samples = sampled(3000, (t) => ({
      machine: { busy: t / 1000, total: t / 500 },
      components: t < 1500 ? ({} as Record<string, number>) : { 'app-1': (t - 1500) / 1000 - (t >= 2500 ? 0.4 : 0) },
    }));
    const cpu = cpuUse({ ...base, samples, runEndMs: 3000 });
    expect(cpu.components[0]!.cores[0]).toBeNull();
    expect(cpu.components[0]!.cores[1]).toBe(0.5);
    expect(cpu.components[0]!.cores[2]).toBe(0.75); // three of four quarter-seconds counted
  });

  it('should average the steady-state window per kind of component', () => {
    const samples = sampled(4000, (t) => ({ machine: { busy: (t / 1000) * 1.5, total: (t / 1000) * 2 }, components: { 'app-1': t / 4000 } }));
    const cpu = cpuUse({ ...base, samples, runEndMs: 4000, steady: { fromMs: 1000, toMs: 4000 } });
    expect(cpu.steadyState).toEqual({ harness: null, apps: 0.25, postgres: null, machine: 1.5, other: null, saturatedSeconds: 0 });
  });
});

describe('saturated seconds in words and per window', () => {
  it('should write runs of seconds as ranges', () => {
    expect(secondRanges([4, 5, 6, 9, 11, 12])).toBe('4–6, 9, 11–12');
  });

  it('should count the saturated seconds a step overlaps, also for a step shorter than a second', () => {
    const cpu = { saturatedSeconds: [3, 4, 8] };
    expect(saturatedWithin(cpu, 2500, 4200)).toBe(2);
    expect(saturatedWithin(cpu, 8100, 8100)).toBe(1);
    expect(saturatedWithin(cpu, 5000, 8000)).toBe(0);
  });
});
