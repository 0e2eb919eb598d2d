import { describe, expect, it } from 'vitest';
import { dominant, type Window } from './windows.ts';

const w = (name: string, startMs: number, endMs: number | null): Window => ({ name, startMs, endMs });

describe('dominant', () => {
  const steps = [w('baseline', 0, 2000), w('alter', 2000, 4000), w('after', 4000, null)];

  it('should attribute a window to the step it overlaps most, not the one it starts in', () => {
    // A stall begins at the last completion just before the ALTER started.
    expect(dominant(steps, 1990, 3990, 9000)).toBe('alter');
  });

  it('should attribute an instant to the step running then', () => {
    expect(dominant(steps, 2500, 2500, 9000)).toBe('alter');
  });

  it('should treat a still-open window as running until the given end', () => {
    expect(dominant(steps, 3900, 8000, 9000)).toBe('after');
  });

  it('should return null when nothing overlaps', () => {
    expect(dominant([w('s', 0, 10)], 20, 30, 40)).toBeNull();
  });
});
