// What a person watching a run sees. On a TTY, a live panel (cli-progress) under the log lines:
// the current step and its elapsed time, a backfill bar with rows/s and ETA, the load's req/s,
// p99, errors and lock waiters, and a seeding bar. Off a TTY (CI logs, pipes) plain lines as
// before: the log, seeding progress on stderr, and a traffic line every 5 s. NO_COLOR is honoured.
import cliProgress from 'cli-progress';
import type { SeedProgress } from '../dataset/types.ts';
import type { RunProgress } from '../runner/progress.ts';
import { createSeedProgress } from '../seed/progress.ts';

export interface LiveView {
  log(line: string): void;
  onSeedProgress(p: SeedProgress): void;
  progress(p: RunProgress): void;
  /** Ends the panel (leaves the last state on screen) so the summary prints below it. */
  stop(): void;
}

export interface LiveViewOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Plain-mode seeding lines go here (default stderr). */
  seedStream?: { write(s: string): unknown; isTTY?: boolean };
  color?: boolean;
  /** Forces the mode; default: live on a TTY. */
  tty?: boolean;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const secs = (ms: number): string => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`);

export function createLiveView(o: LiveViewOptions = {}): LiveView {
  const stream = o.stream ?? process.stdout;
  const tty = o.tty ?? stream.isTTY === true;
  const color = o.color ?? (tty && !process.env.NO_COLOR);
  return tty ? ttyView(stream, color) : plainView(stream, o.seedStream);
}

function plainView(stream: NodeJS.WritableStream, seedStream: LiveViewOptions['seedStream']): LiveView {
  const seed = createSeedProgress({ out: seedStream ?? process.stderr });
  return {
    log: (line) => void stream.write(`${line}\n`),
    onSeedProgress: seed,
    progress(p) {
      if (p.kind !== 'traffic' || p.tick.t % 5 !== 0) return;
      const t = p.tick;
      stream.write(`  [t=${t.t}s] ${t.completed} req/s, p99 ${t.p99Ms ?? '-'} ms, in flight ${t.inFlight} (oldest ${Math.round(t.oldestInFlightMs)} ms), errors ${t.errors + t.non2xx + t.timeouts}${p.lockWaiters ? `, lock waiters ${p.lockWaiters}` : ''}\n`);
    },
    stop: () => {},
  };
}

function ttyView(stream: NodeJS.WritableStream, color: boolean): LiveView {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const multi = new cliProgress.MultiBar({
    stream,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    barsize: 24,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    autopadding: false,
    // Re-render every 200 ms so the elapsed time keeps moving while nothing else changes.
    forceRedraw: true,
    throttleTime: 200,
    gracefulExit: false,
  } as cliProgress.Options);

  let stepBar: cliProgress.SingleBar | null = null;
  let loadBar: cliProgress.SingleBar | null = null;
  let seedBar: cliProgress.SingleBar | null = null;
  let backfillBar: cliProgress.SingleBar | null = null;
  const step = { variant: '', name: '', kind: '', index: 0, total: 0, startedAt: Date.now() };

  const stepLine = () =>
    `${paint('1', `▶ ${step.variant}`)} step ${step.index + 1}/${step.total} ${paint('1', step.name)} (${step.kind}) · ${secs(Date.now() - step.startedAt)}`;
  const ensureStepBar = () => (stepBar ??= multi.create(1, 0, {}, { format: () => stepLine() }));

  const dropBackfill = () => {
    if (backfillBar) multi.remove(backfillBar);
    backfillBar = null;
  };

  return {
    log: (line) => multi.log(`${line}\n`),
    onSeedProgress(p) {
      if (p.phase === 'copy') {
        seedBar ??= multi.create(p.total, 0, {}, { format: `seed {table} [{bar}] {percentage}% · {rows} / {all} rows · {rate} rows/s · ETA {eta_formatted}` });
        seedBar.setTotal(p.total);
        seedBar.update(p.rows, { table: p.table ?? 'rows', rows: n(p.rows), all: n(p.total), rate: n(p.rowsPerSec) });
        return;
      }
      if (p.phase === 'done' || p.phase === 'failed') {
        if (seedBar) multi.remove(seedBar);
        seedBar = null;
        multi.log(p.phase === 'done' ? `seeded ${n(p.rows)} rows: ${n(p.rowsPerSec)} rows/s\n` : 'seeding failed\n');
        return;
      }
      multi.log(`seed ${p.phase}${p.table ? ` (${p.table})` : ''}…\n`);
    },
    progress(p) {
      switch (p.kind) {
        case 'variant-start':
          Object.assign(step, { variant: `${p.scenario} / ${p.variant}`, name: 'starting', kind: '-', index: -1, total: p.steps, startedAt: Date.now() });
          ensureStepBar();
          loadBar ??= multi.create(1, 0, { line: 'load starting…' }, { format: '{line}' });
          break;
        case 'step-start':
          Object.assign(step, { name: p.step, kind: p.stepKind, index: p.index, total: p.total, startedAt: Date.now() });
          ensureStepBar();
          dropBackfill();
          break;
        case 'step-end':
          dropBackfill();
          break;
        case 'backfill':
          backfillBar ??= multi.create(p.total, 0, {}, { format: `backfill {step} [{bar}] {percentage}% · {rows} rows · {rate} rows/s · ETA {eta_formatted}` });
          backfillBar.setTotal(p.total);
          backfillBar.update(p.done, { step: p.step, rows: n(p.rows), rate: n(p.rowsPerSec) });
          break;
        case 'traffic': {
          const t = p.tick;
          const errors = t.errors + t.non2xx + t.timeouts;
          const waiters = p.lockWaiters === null ? 'lock waiters —' : p.lockWaiters > 0 ? paint('33', `lock waiters ${p.lockWaiters}`) : 'lock waiters 0';
          const line = `load ${n(t.completed)} req/s · p99 ${t.p99Ms === null ? '—' : `${n(t.p99Ms)} ms`} · errors ${errors > 0 ? paint('31', n(errors)) : '0'} · in flight ${n(t.inFlight)} (oldest ${n(t.oldestInFlightMs)} ms) · ${waiters}`;
          loadBar ??= multi.create(1, 0, { line }, { format: '{line}' });
          loadBar.update(0, { line });
          break;
        }
        case 'variant-end':
          dropBackfill();
          for (const bar of [stepBar, loadBar]) if (bar) multi.remove(bar);
          stepBar = loadBar = null;
          break;
      }
    },
    stop: () => multi.stop(),
  };
}
