// Ctrl-C at random moments spread over a whole run (every moment once, 20 by default; set with
// REHEARSE_INTERRUPT_TRIALS). One calibration run measures when each
// phase starts and how long it lasts (provisioning, seeding, the capacity probe, template
// cloning, fleet start, every step kind, stopping, report writing); each trial then starts the
// real CLI, waits for its chosen phase to begin, waits a random fraction of that phase's
// measured length, and signals it (SIGINT to the process group as a terminal does, SIGINT to the
// pid, or SIGTERM). Every trial checks the exit code, the one-line message, the report (present
// and marked interrupted once anything was measured), and that nothing of this CLI is left: its
// process tree, its listening ports, its temp dir, temp files in its out dir.
//
// Replay a failure with the printed seed: REHEARSE_INTERRUPT_SEED=<seed> npx vitest run harness/cli/random-interrupt.test.ts
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../load/rng.ts';
import type { RunReport } from '../model/schema.ts';
import { startCli, type CliRun } from '../testing/cli-process.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/testing/interrupt-moments.ts', import.meta.url));
const TRIALS = Number(process.env.REHEARSE_INTERRUPT_TRIALS ?? 20);
// Trials run two at a time: each is mostly waiting (pauses, health checks), and each watches only its own CLI.
const CONCURRENCY = Number(process.env.REHEARSE_INTERRUPT_CONCURRENCY ?? 2);
const SEED = Number(process.env.REHEARSE_INTERRUPT_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`random-interrupt: seed ${SEED} (replay with REHEARSE_INTERRUPT_SEED=${SEED})`);

/** A moment of the run: it begins when a line matching `starts` is printed, and lasts until the next moment begins (or `ends`). */
interface Moment {
  name: string;
  starts: RegExp;
  ends?: RegExp;
  /** After the last step: a signal here may come after the last measurement, and the report is then complete. */
  late?: boolean;
  /** Only reached when the open-model rate is probed (no --rate). */
  probe?: boolean;
}

const MOMENTS: Moment[] = [
  { name: 'provisioning', starts: /^provisioning postgres/ },
  { name: 'seeding', starts: /^seeding / },
  { name: 'capacity probe: template cloning', starts: /^capacity probe: cloning/, probe: true },
  { name: 'capacity probe: fleet start', starts: /^capacity probe: starting/, probe: true },
  { name: 'capacity probe', starts: /^capacity probe: saturating/, probe: true },
  { name: 'variant: template cloning', starts: /^── interrupt-moments \/ run/ },
  { name: 'variant: fleet start', starts: /^ {2}starting 1 app instance/ },
  { name: 'pause step', starts: /^▶ baseline/ },
  { name: 'mid-backfill', starts: /^▶ backfill/ },
  { name: 'mid-deploy', starts: /^▶ deploy-new/ },
  { name: 'fault step', starts: /^▶ long-reader/ },
  { name: 'mid-statement waiting on a lock', starts: /^▶ add-column/ },
  { name: 'verify step', starts: /^▶ check/ },
  { name: 'last pause', starts: /^▶ after/ },
  { name: 'stopping the load and the app', starts: /^ {2}✓ after/, late: true },
  { name: 'report writing', starts: /^writing the report/, ends: /^report: /, late: true },
];

type Target = { signal: 'SIGINT' | 'SIGTERM'; to: 'group' | 'pid' };
interface Trial {
  index: number;
  moment: Moment;
  fraction: number; // of the moment's measured length
  target: Target;
}

// Every moment at least once (shuffled), the rest drawn at random; signals mostly a terminal's Ctrl-C.
const trials: Trial[] = (() => {
  const rng = mulberry32(SEED);
  const order = [...MOMENTS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  while (order.length < TRIALS) order.push(MOMENTS[Math.floor(rng() * MOMENTS.length)]!);
  return order.slice(0, TRIALS).map((moment, i) => {
    const r = rng();
    const target: Target = r < 0.6 ? { signal: 'SIGINT', to: 'group' } : r < 0.8 ? { signal: 'SIGINT', to: 'pid' } : { signal: 'SIGTERM', to: 'pid' };
    return { index: i + 1, moment, fraction: rng() * 0.9, target };
  });
})();

const args = (out: string, probe: boolean) => [SCENARIO, '--rows', '3000', '--instances', '1', '--warmup', '1', ...(probe ? [] : ['--rate', '60']), '--out', out];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** ms from one moment's start to the next one's, measured on an uninterrupted run. */
let lengths: Map<string, number>;
/** Where each trial's signal actually landed, as the CLI reported it. */
const landed: string[] = [];

/** Lets at most `n` trials hold a slot at once. */
const slots = (() => {
  let free = CONCURRENCY;
  const queue: (() => void)[] = [];
  return {
    acquire: () => new Promise<void>((r) => (free > 0 ? (free--, r()) : queue.push(r))),
    release: () => (queue.length ? queue.shift()!() : free++),
  };
})();

async function settle(run: CliRun) {
  const exit = await run.exited;
  // Orphaned grandchildren (postgres backends) may need a moment after their parent went.
  for (let i = 0; i < 60; i++) {
    const l = run.leftovers();
    if (l.processes.length === 0 && l.listening.length === 0) break;
    await sleep(50);
  }
  return exit;
}

describe(`Ctrl-C at ${TRIALS} random moments of a run (seed ${SEED})`, () => {
  afterAll(() => {
    const counts = new Map<string, number>();
    for (const l of landed) counts.set(l, (counts.get(l) ?? 0) + 1);
    console.log(`random-interrupt: signals landed in ${[...counts].map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  });

  beforeAll(async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-interrupt-out-'));
    const run = startCli({ args: args(out, true) });
    const exit = await settle(run);
    expect(exit.code, run.output()).toBe(0);
    const at = (re: RegExp) => run.lines.find((l) => re.test(l.text))?.t;
    const starts = MOMENTS.map((m) => ({ m, t: at(m.starts), end: m.ends ? at(m.ends) : undefined }));
    for (const s of starts) expect(s.t, `calibration run never printed ${s.m.starts}:\n${run.output()}`).toBeDefined();
    lengths = new Map(starts.map((s, i) => [s.m.name, Math.max(0, (s.end ?? starts[i + 1]?.t ?? exit.atMs) - s.t!)]));
    console.log(`random-interrupt: measured moments (ms): ${[...lengths].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(run.leftovers()).toEqual({ processes: [], listening: [], tmpFiles: [] });
  }, 240_000);

  for (const trial of trials) {
    const { moment, target } = trial;
    it.concurrent(`trial ${trial.index}: ${target.signal} to the ${target.to === 'group' ? 'process group' : 'pid'} during ${moment.name}`, async () => {
      await slots.acquire();
      try {
        const out = mkdtempSync(path.join(tmpdir(), 'rehearse-interrupt-out-'));
        const run = startCli({ args: args(out, moment.probe === true) });
        const start = await run.waitForLine(moment.starts, 120_000);
        // Late moments end with the process: aim early in them, or the signal may find it gone.
        const delay = Math.round(trial.fraction * (moment.late ? 0.3 : 1) * lengths.get(moment.name)!);
        await sleep(Math.max(0, delay - (run.elapsed() - start.t))); // counted from the moment's start
        // What the test saw before it signalled certainly happened before the signal (the reverse is not known: pipes lag).
        const seededBefore = run.lines.some((l) => /^seeded |seed done/.test(l.text));
        // Already done (its last line printed, or gone): a signal now reaches no one, and that is not an interrupt.
        const finishedBefore = run.child.exitCode !== null || run.lines.some((l) => /^report: /.test(l.text));
        const signalledAt = run.elapsed();
        run.signal(target.signal, target.to);
        const exit = await settle(run);
        const output = run.output();
        const context = `trial ${trial.index} (seed ${SEED}): ${target.signal} to ${target.to} ${delay} ms into ${moment.name}\n${output}`;

        expect(output, context).not.toMatch(STACK_FRAME);
        const received = run.lines.some((l) => /^received SIG(INT|TERM): stopping/.test(l.text));
        if (!received && exit.code === 0) {
          // Pipes lag: the CLI may have printed its last line just before the signal, and the test not seen it yet.
          const finished = finishedBefore || run.lines.some((l) => /^report: /.test(l.text));
          expect(finished, `${context}\nexited 0 without seeing the signal, though it had not finished`).toBe(true);
          console.log(`random-interrupt: trial ${trial.index} signalled after the run had finished (pipes lag behind the CLI); nothing to interrupt`);
          expect(run.leftovers(), context).toEqual({ processes: [], listening: [], tmpFiles: [] });
          return;
        }
        expect(exit.code, context).toBe(target.signal === 'SIGINT' ? 130 : 143);
        // The last thing on stderr is one line that says what happened (the summary, if any, is on stdout).
        const last = run.lines.filter((l) => l.stream === 'stderr' && l.text.trim()).slice(-1);
        expect(last[0]!.t, context).toBeGreaterThanOrEqual(signalledAt);
        expect(last[0]!.text, context).toMatch(/^interrupted by SIG(INT|TERM) .*\(REH_INTERRUPTED\)/);
        // "After the last measurement": the report must then be complete (pipes lag, so the moment aimed at may be earlier).
        const afterMeasuring = /after the last measurement|after the run finished/.test(last[0]!.text);
        landed.push(afterMeasuring ? 'after the last measurement' : /during (.+) \(REH_INTERRUPTED\)/.exec(last[0]!.text)?.[1] ?? 'before anything was measured');

        const reportFile = path.join(out, 'latest', 'report.json');
        const claimsReport = /partial report: |the report is complete|after the run finished/.test(last[0]!.text);
        expect(existsSync(reportFile), context).toBe(claimsReport);
        if (seededBefore) expect(claimsReport, `${context}\nthe seed had finished: something was measured`).toBe(true);
        if (claimsReport) {
          const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport;
          expect(existsSync(path.join(out, 'latest', 'report.html')), context).toBe(true);
          if (afterMeasuring) {
            expect(report.status, context).toBe('completed');
            expect(report.summary.completed, context).toBe(true);
          } else {
            expect(report.status, context).toBe('interrupted');
            expect(report.error?.code, context).toBe('REH_INTERRUPTED');
            expect(report.stoppedDuring, context).toBeTruthy();
          }
          expect(report.seed, context).not.toBeNull();
        } else {
          expect(last[0]!.text, context).toContain('nothing was measured yet');
        }
        // Nothing left behind: this CLI's processes, ports and temp files, and no half-written report.
        expect(run.leftovers(), context).toEqual({ processes: [], listening: [], tmpFiles: [] });
        const strays = readdirSync(out, { recursive: true }).map(String).filter((f) => /\.tmp$|\.latest-/.test(f));
        expect(strays, context).toEqual([]);
      } finally {
        slots.release();
      }
    }, 180_000);
  }
});
