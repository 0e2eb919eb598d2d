// Console progress for seeding: one line rewritten in place on a TTY; on a pipe or CI log,
// a plain line per phase and every few seconds during COPY, so logs stay short but alive.
import type { SeedProgress } from '../dataset/types.ts';

export interface SeedProgressOptions {
  /** Default process.stderr, so stdout stays clean for anything that parses it. */
  out?: { write(s: string): unknown; isTTY?: boolean };
  /** Plain-line mode: at most one COPY line per this many ms. */
  plainEveryMs?: number;
  /** Injectable clock for tests (throttles plain lines). */
  now?: () => number;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export function formatSeedProgress(p: SeedProgress): string {
  if (p.phase === 'copy') {
    const pct = p.total > 0 ? ` (${((100 * p.rows) / p.total).toFixed(1)}%)` : '';
    return `seed copy${p.table ? ` ${p.table}` : ''}: ${n(p.rows)} / ${n(p.total)} rows${pct}, ${n(p.rowsPerSec)} rows/s`;
  }
  if (p.phase === 'done') return `seed done: ${n(p.rows)} rows, ${n(p.rowsPerSec)} rows/s`;
  return `seed ${p.phase}${p.table ? ` (${p.table}, ${n(p.total)} rows)` : ''}…`;
}

/** Returns an onProgress callback for seedDatabase. */
export function createSeedProgress(opts: SeedProgressOptions = {}): (p: SeedProgress) => void {
  const out = opts.out ?? process.stderr;
  const clock = opts.now ?? (() => Date.now());
  const plainEveryMs = opts.plainEveryMs ?? 5000;
  const tty = out.isTTY === true;
  let lastPhase = '';
  let lastPlain = -Infinity;

  return (p) => {
    const t = clock();
    let line = formatSeedProgress(p);
    if (p.phase === 'done') {
      // The seed's own rate covers its whole run, connect included; our clock would not.
      const seconds = p.rowsPerSec > 0 ? p.rows / p.rowsPerSec : 0;
      line = `seeded ${n(p.rows)} rows in ${seconds.toFixed(1)} s: ${n(p.rowsPerSec)} rows/s`;
      out.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
      lastPhase = '';
      return;
    }
    if (p.phase === 'failed') {
      // End the in-place line so the error printed next starts on its own line.
      if (tty) out.write('\n');
      lastPhase = '';
      return;
    }
    if (tty) {
      out.write(`\r\x1b[2K${line}`);
      return;
    }
    const phaseChanged = p.phase !== lastPhase;
    if (phaseChanged || t - lastPlain >= plainEveryMs) {
      out.write(`${line}\n`);
      lastPlain = t;
      lastPhase = p.phase;
    }
  };
}
