import { describe, expect, it } from 'vitest';
import { Permutation } from './permutation.ts';

describe('Permutation', () => {
  it('should map [0, n) onto itself one to one, for sizes that are and are not powers of two', () => {
    for (const n of [1, 2, 3, 7, 64, 1000, 4097]) {
      const p = new Permutation(n, 42);
      const seen = new Set(Array.from({ length: n }, (_, i) => p.at(i)));
      expect(seen.size, `n=${n}`).toBe(n);
      expect(Math.max(...seen)).toBe(n - 1);
    }
  });

  it('should depend on the seed and scatter neighbours', () => {
    const a = new Permutation(1_000_000, 1);
    const b = new Permutation(1_000_000, 2);
    expect([0, 1, 2].map((i) => a.at(i))).not.toEqual([0, 1, 2].map((i) => b.at(i)));
    expect(Math.abs(a.at(1) - a.at(0))).toBeGreaterThan(1);
  });
});
