// The live view: on a terminal, a panel with the step and its elapsed time, a backfill bar with
// rows/s and ETA, the load's req/s, p99, errors and lock waiters, and seeding progress; off a
// terminal, plain lines. Checked on a fake TTY stream and on a real pseudo-terminal (script(1)).
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LoadTick } from '../load/types.ts';
import { createLiveView } from './live-view.ts';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

class FakeTty extends Writable {
  isTTY = true;
  columns = 160;
  rows = 40;
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const tick = (t: number, over: Partial<LoadTick> = {}): LoadTick => ({ t, completed: 250, non2xx: 0, errors: 0, timeouts: 0, dropped: 0, lateStarts: 0, inFlight: 3, oldestInFlightMs: 12, p99Ms: 41, clientQueued: 0, ...over });

/** Feeds a short run's events; the panel redraws every 200 ms, so give it time between steps. */
async function drive(view: ReturnType<typeof createLiveView>) {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  view.onSeedProgress({ phase: 'copy', table: 'users', rows: 50_000, total: 200_000, rowsPerSec: 400_000 });
  await wait(250);
  view.onSeedProgress({ phase: 'done', rows: 200_000, total: 200_000, rowsPerSec: 390_000 });
  view.progress({ kind: 'variant-start', scenario: 'cct', variant: 'expand-contract', steps: 3 });
  view.progress({ kind: 'step-start', step: 'backfill', stepKind: 'backfill', index: 1, total: 3 });
  view.progress({ kind: 'traffic', tick: tick(1, { errors: 2 }), lockWaiters: 4 });
  view.progress({ kind: 'backfill', step: 'backfill', done: 10_000, total: 100_000, rows: 10_000, rowsPerSec: 52_000 });
  await wait(250);
  view.progress({ kind: 'backfill', step: 'backfill', done: 30_000, total: 100_000, rows: 30_000, rowsPerSec: 55_000 });
  view.log('  ✓ something happened');
  await wait(450);
  view.progress({ kind: 'step-end', step: 'backfill', status: 'ok', durationMs: 1200 });
  view.progress({ kind: 'variant-end', variant: 'expand-contract' });
  view.stop();
}

describe('live view', () => {
  it('should draw the step, the backfill bar with rows/s and ETA, the load line and seeding on a TTY', async () => {
    const out = new FakeTty();
    await drive(createLiveView({ stream: out as unknown as NodeJS.WritableStream, color: false }));
    const text = out.text.replace(ANSI, '');
    expect(text).toMatch(/seed users \[[█░]+\] 25% · 50,000 \/ 200,000 rows · 400,000 rows\/s · ETA/);
    expect(text).toMatch(/▶ cct \/ expand-contract step 2\/3 backfill \(backfill\) · \d+\.\d s/);
    expect(text).toMatch(/backfill backfill \[[█░]+\] 30% · 30,000 rows · 55,000 rows\/s · ETA \S+/);
    expect(text).toContain('load 250 req/s · p99 41 ms · errors 2 · in flight 3 (oldest 12 ms) · lock waiters 4');
    expect(text).toContain('✓ something happened');
    expect(text).toContain('seeded 200,000 rows: 390,000 rows/s');
    expect(out.text).toMatch(ANSI); // it is a live panel: cursor movement and line clearing
  });

  it('should honour NO_COLOR and colour errors only when colour is on', async () => {
    const plain = new FakeTty();
    await drive(createLiveView({ stream: plain as unknown as NodeJS.WritableStream, color: false }));
    expect(plain.text).not.toContain('\x1b[31m');
    const coloured = new FakeTty();
    await drive(createLiveView({ stream: coloured as unknown as NodeJS.WritableStream, color: true }));
    expect(coloured.text).toContain('\x1b[31m2\x1b[0m');
  });

  it('should print plain lines off a TTY: the log, and a traffic line every 5 s', () => {
    const out = new FakeTty();
    out.isTTY = false;
    const seed: string[] = [];
    const view = createLiveView({ stream: out as unknown as NodeJS.WritableStream, seedStream: { write: (s: string) => seed.push(s), isTTY: false } });
    view.log('▶ baseline (pause)');
    for (let t = 1; t <= 10; t++) view.progress({ kind: 'traffic', tick: tick(t), lockWaiters: t === 5 ? 2 : 0 });
    view.progress({ kind: 'backfill', step: 'b', done: 1, total: 2, rows: 1, rowsPerSec: 1 });
    view.onSeedProgress({ phase: 'done', rows: 10, total: 10, rowsPerSec: 100 });
    expect(out.text).toBe('▶ baseline (pause)\n  [t=5s] 250 req/s, p99 41 ms, in flight 3 (oldest 12 ms), errors 0, lock waiters 2\n  [t=10s] 250 req/s, p99 41 ms, in flight 3 (oldest 12 ms), errors 0\n');
    expect(out.text).not.toMatch(ANSI);
    expect(seed.join('')).toContain('seeded 10 rows');
  });

  it('should detect a real terminal and draw the panel there (pseudo-terminal via script)', () => {
    const driver = fileURLToPath(new URL('../testing/live-view-driver.ts', import.meta.url));
    const cmd = `${process.execPath} --import tsx ${driver}`;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
    expect(r.status).toBe(0);
    const text = r.stdout.replace(ANSI, '');
    expect(text).toMatch(/backfill backfill \[[█░]+\] \d+% · [\d,]+ rows · [\d,]+ rows\/s · ETA/);
    expect(text).toContain('load 250 req/s');
    expect(r.stdout).toMatch(ANSI);
  });
});
