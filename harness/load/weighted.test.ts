import { describe, expect, it } from 'vitest';
import { shareConnections, WeightedPicker } from './weighted.ts';
import type { LoadTarget } from './types.ts';

const t = (id: string, weight?: number): LoadTarget => ({ id, origin: `http://${id}`, ...(weight === undefined ? {} : { weight }) });

describe('weighted picking', () => {
  it('should be plain round robin when no target has a weight', () => {
    const p = new WeightedPicker();
    const targets = [t('a'), t('b'), t('c')];
    expect(Array.from({ length: 6 }, () => p.pick(targets).id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('should split picks exactly by weight, spread out rather than in bursts', () => {
    const p = new WeightedPicker();
    const targets = [t('a', 1), t('b', 0.25)];
    const picks = Array.from({ length: 10 }, () => p.pick(targets).id);
    expect(picks.filter((x) => x === 'b')).toHaveLength(2);
    expect(picks.join('')).not.toMatch(/bb/);
  });

  it('should follow weights that change between picks and forget targets that left', () => {
    const p = new WeightedPicker();
    let b = 0.1;
    let count = 0;
    for (let i = 0; i < 200; i++) {
      if (p.pick([t('a', 1), t('b', b)]).id === 'b') count++;
      if (i === 99) b = 1;
    }
    // ~9 of the first 100 (0.1/1.1), ~50 of the next 100.
    expect(count).toBeGreaterThan(55);
    expect(count).toBeLessThan(63);
    expect(p.pick([t('c')]).id).toBe('c');
  });
});

describe('closed-model connections by weight', () => {
  it('should split evenly without weights, remainder to the first', () => {
    expect(shareConnections(32, [t('a'), t('b'), t('c')])).toEqual([11, 11, 10]);
  });

  it('should give a slow-starting target its share and keep the total', () => {
    const shares = shareConnections(32, [t('a', 1), t('b', 0.1)]);
    expect(shares).toEqual([29, 3]);
    expect(shareConnections(5, [t('a', 1), t('b', 1), t('c', 0.2)]).reduce((x, y) => x + y)).toBe(5);
  });
});
