import { describe, expect, it } from 'vitest';
import { createSeedProgress } from './progress.ts';

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (s: string) => writes.push(s) } };
};

describe('createSeedProgress', () => {
  it('rewrites one line on a TTY and ends it with the rows/s summary', () => {
    const { writes, out } = sink(true);
    const report = createSeedProgress({ out });
    report({ phase: 'copy', rows: 1000, total: 4000, rowsPerSec: 2000 });
    report({ phase: 'index:users_pkey', table: 'users', rows: 0, total: 1000, rowsPerSec: 0 });
    report({ phase: 'done', rows: 4000, total: 4000, rowsPerSec: 2000 });
    expect(writes[0]).toBe('\r\x1b[2Kseed copy: 1,000 / 4,000 rows (25.0%), 2,000 rows/s');
    expect(writes[1]).toBe('\r\x1b[2Kseed index:users_pkey (users, 1,000 rows)…');
    expect(writes[2]).toBe('\r\x1b[2Kseeded 4,000 rows in 2.0 s: 2,000 rows/s\n');
  });

  it('prints plain lines on phase changes and at most every plainEveryMs otherwise', () => {
    const { writes, out } = sink(false);
    let t = 0;
    const report = createSeedProgress({ out, now: () => t, plainEveryMs: 5000 });
    for (; t <= 12_000; t += 500) report({ phase: 'copy', table: 'users', rows: t, total: 20_000, rowsPerSec: 1000 });
    report({ phase: 'vacuum-analyze', rows: 0, total: 20_000, rowsPerSec: 0 });
    report({ phase: 'failed', rows: 0, total: 0, rowsPerSec: 0 });
    expect(writes).toEqual([
      'seed copy users: 0 / 20,000 rows (0.0%), 1,000 rows/s\n',
      'seed copy users: 5,000 / 20,000 rows (25.0%), 1,000 rows/s\n',
      'seed copy users: 10,000 / 20,000 rows (50.0%), 1,000 rows/s\n',
      'seed vacuum-analyze…\n',
    ]);
  });

  it('ends the in-place line when the seed fails, so the error starts on its own line', () => {
    const { writes, out } = sink(true);
    const report = createSeedProgress({ out });
    report({ phase: 'copy', rows: 1, total: 2, rowsPerSec: 1 });
    report({ phase: 'failed', rows: 0, total: 0, rowsPerSec: 0 });
    expect(writes.at(-1)).toBe('\n');
  });
});
