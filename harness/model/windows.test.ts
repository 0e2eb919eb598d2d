import { afterEach, describe, expect, it, vi } from 'vitest';
import { dominant, StepClock, type Window } from './windows.ts';

const w = (name: string, startMs: number, endMs: number | null): Window => ({ name, startMs, endMs });

/** Drives the monotonic clock by hand: now() reads performance.now(). */
const atTimes = (...times: number[]) => {
  const spy = vi.spyOn(performance, 'now');
  for (const t of times) spy.mockReturnValueOnce(t);
  return spy;
};
afterEach(() => vi.restoreAllMocks());

describe('dominant', () => {
  const steps = [w('baseline', 0, 2000), w('alter', 2000, 4000), w('after', 4000, null)];

  it('should attribute a window to the step it overlaps most, not the one it starts in', () => {
    // A stall begins at the last completion just before the ALTER started.
    expect(dominant(steps, 1990, 3990, 9000)).toBe('alter');
  });

  it('should attribute an instant to the step running then', () => {
    expect(dominant(steps, 2500, 2500, 9000)).toBe('alter');
  });

  it('should attribute an instant on a boundary to the first window touching it', () => {
    expect(dominant(steps, 2000, 2000, 9000)).toBe('baseline');
    expect(dominant([w('a', 0, 1000), w('b', 1000, 2000)], 1000, 1000, 9000)).toBe('a');
    expect(dominant([w('b', 1000, 2000)], 1000, 1000, 9000)).toBe('b');
  });

  it('should treat a still-open window as running until the given end', () => {
    expect(dominant(steps, 3900, 8000, 9000)).toBe('after');
    // Until 4050 only: 100 ms in alter, 50 in after.
    expect(dominant(steps, 3900, 8000, 4050)).toBe('alter');
  });

  it('should keep the first of two windows that overlap equally', () => {
    expect(dominant([w('a', 0, 100), w('b', 100, 200)], 50, 150, 999)).toBe('a');
  });

  it('should return null when nothing overlaps', () => {
    expect(dominant([w('s', 0, 10)], 20, 30, 40)).toBeNull();
    expect(dominant([w('s', 50, 60)], 20, 30, 40)).toBeNull();
    expect(dominant([], 20, 30, 40)).toBeNull();
  });

  it('should not attribute an instant to a window that starts after it', () => {
    expect(dominant([w('later', 31, 60)], 30, 30, 99)).toBeNull();
    // An interval that ends exactly where a window starts touches it, but does not run in it.
    expect(dominant([w('later', 30, 60)], 20, 30, 99)).toBeNull();
  });
});

describe('StepClock', () => {
  it('should record step windows on the monotonic clock and find the step of any instant', () => {
    atTimes(100, 250, 250, 900);
    const c = new StepClock();
    c.beginStep('baseline');
    c.endStep();
    c.beginStep('alter');
    expect(c.steps).toEqual([w('baseline', 100, 250), w('alter', 250, null)]);
    expect(c.stepAt(99)).toBeNull();
    expect(c.stepAt(100)).toBe('baseline');
    expect(c.stepAt(249.9)).toBe('baseline');
    expect(c.stepAt(250)).toBe('alter'); // a boundary belongs to the step that starts there
    expect(c.stepAt(10_000)).toBe('alter'); // still running
    c.endStep();
    expect(c.steps[1]).toEqual(w('alter', 250, 900));
    expect(c.stepAt(900)).toBeNull(); // ended: [start, end)
  });

  it('should find no step in a gap between two steps', () => {
    atTimes(0, 100, 300, 400);
    const c = new StepClock();
    c.beginStep('a');
    c.endStep();
    c.beginStep('b');
    c.endStep();
    expect(c.stepAt(50)).toBe('a');
    expect(c.stepAt(200)).toBeNull();
    expect(c.stepAt(300)).toBe('b');
  });

  it('should record statements apart from steps', () => {
    atTimes(10, 20, 30, 40);
    const c = new StepClock();
    c.beginStep('s');
    c.beginStatement('ALTER TABLE t ADD c int');
    c.endStatement();
    expect(c.statements).toEqual([w('ALTER TABLE t ADD c int', 20, 30)]);
    expect(c.statementAt(25)).toBe('ALTER TABLE t ADD c int');
    expect(c.statementAt(30)).toBeNull();
    expect(c.statementAt(15)).toBeNull();
    expect(c.stepAt(35)).toBe('s');
  });

  it('should ignore an end without a running window and never move a closed end', () => {
    atTimes(5, 10, 20, 30);
    const c = new StepClock();
    c.endStep(); // nothing running: no window, and the clock is not read
    c.endStatement();
    expect(c.steps).toEqual([]);
    c.beginStep('a'); // 5
    c.endStep(); // 10
    c.endStep(); // ignored
    expect(c.steps).toEqual([w('a', 5, 10)]);
    c.beginStatement('x'); // 20
    c.endStatement(); // 30
    c.endStatement(); // ignored
    expect(c.statements).toEqual([w('x', 20, 30)]);
  });
});
