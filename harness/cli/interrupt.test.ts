// Ctrl-C as a user presses it: SIGINT to the CLI's whole process group (what a terminal does),
// at moments that used to lose the run. Each case checks the exit code, the one-line message,
// the report, and that the CLI's own processes, ports and temp files are gone.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startCli, type CliRun } from '../testing/cli-process.ts';

const HOLD_LOCK = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
const outDir = () => mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exit, then give orphaned grandchildren a moment to go before looking for leftovers. */
async function finish(run: CliRun) {
  const exit = await run.exited;
  for (let i = 0; i < 40; i++) {
    const l = run.leftovers();
    if (l.processes.length === 0 && l.listening.length === 0) break;
    await sleep(50);
  }
  return { exit, leftovers: run.leftovers(), stderr: run.lines.map((l) => l.text).join('\n') };
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('Ctrl-C on the CLI', () => {
  it('should exit 130 with one line and write a partial report when Ctrl-C reaches the whole process group during the baseline pause', async () => {
    const out = outDir();
    const run = startCli({ args: [HOLD_LOCK, '--variant', 'hold', '--rows', '3000', '--rate', '100', '--instances', '1', '--warmup', '1', '--out', out] });
    await run.waitForLine(/▶ baseline/);
    await sleep(500);
    run.signal('SIGINT', 'group');
    const { exit, leftovers, stderr } = await finish(run);
    expect(exit.code, stderr).toBe(130);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stderr).not.toContain('Unhandled');
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.status).toBe('interrupted');
    expect(report.variants[0].steps[0]).toMatchObject({ name: 'baseline', error: { code: 'REH_INTERRUPTED' } });
    expect(existsSync(path.join(out, 'latest', 'report.html'))).toBe(true);
    expect(leftovers).toEqual({ processes: [], listening: [], tmpFiles: [] });
  });

  it('should report Ctrl-C during seeding as an interruption (exit 130), not as a failed seed', async () => {
    const out = outDir();
    const run = startCli({ args: [HOLD_LOCK, '--variant', 'hold', '--rows', '300000', '--rate', '100', '--instances', '1', '--warmup', '1', '--out', out] });
    await run.waitForLine(/^seeding /);
    await sleep(300);
    run.signal('SIGINT', 'group');
    const { exit, leftovers, stderr } = await finish(run);
    expect(exit.code, stderr).toBe(130);
    expect(stderr).toContain('REH_INTERRUPTED');
    expect(stderr).not.toContain('REH_SEED_FAILED');
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(leftovers).toEqual({ processes: [], listening: [], tmpFiles: [] });
  });

  it('should skip the report on a second Ctrl-C and still clean up everything', async () => {
    const out = outDir();
    const run = startCli({ args: [HOLD_LOCK, '--variant', 'hold', '--rows', '3000', '--rate', '100', '--instances', '1', '--warmup', '1', '--out', out] });
    await run.waitForLine(/▶ baseline/);
    await sleep(300);
    run.signal('SIGINT', 'group');
    await sleep(30);
    run.signal('SIGINT', 'group');
    const { exit, leftovers, stderr } = await finish(run);
    expect(exit.code, stderr).toBe(130);
    expect(stderr).toContain('received SIGINT again: skipping the report, cleaning up now');
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(path.join(out, 'latest'))).toBe(false);
    expect(readdirSync(out)).toEqual([]); // not even a temp file
    expect(leftovers).toEqual({ processes: [], listening: [], tmpFiles: [] });
  });

  it('should exit 143 on SIGTERM with the partial report written', async () => {
    const out = outDir();
    const run = startCli({ args: [HOLD_LOCK, '--variant', 'hold', '--rows', '3000', '--rate', '100', '--instances', '1', '--warmup', '1', '--out', out] });
    await run.waitForLine(/▶ hold-lock/);
    await sleep(500); // mid-statement: the 2 s ACCESS EXCLUSIVE hold
    run.signal('SIGTERM', 'pid');
    const { exit, leftovers, stderr } = await finish(run);
    expect(exit.code, stderr).toBe(143);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'interrupted', stoppedDuring: 'variant hold: step hold-lock (sql)', error: { code: 'REH_INTERRUPTED', message: 'interrupted by SIGTERM' } });
    expect(leftovers).toEqual({ processes: [], listening: [], tmpFiles: [] });
  });
});

describe('the out dir failing at the end of a run', () => {
  it('should write the report to the fallback dir, say where, and exit with the run\'s own code', async () => {
    const out = outDir();
    const run = startCli({ args: [HOLD_LOCK, '--variant', 'hold', '--rows', '3000', '--rate', '100', '--instances', '1', '--warmup', '1', '--out', out] });
    await run.waitForLine(/▶ baseline/);
    // Preflight passed; now the out dir goes away and a file takes its place.
    rmSync(out, { recursive: true, force: true });
    writeFileSync(out, 'not a directory any more');
    const exit = await run.exited;
    const output = run.output();
    expect(exit.code, output).toBe(0); // the run completed: its own code, not a write error
    const m = /could not write the report to \S+ \((.+)\); wrote it to (\S+) instead/.exec(output);
    expect(m, output).not.toBeNull();
    expect(m![1]).toContain('is a file, not a directory');
    expect(m![2]!.startsWith(path.join(run.tmpDir, 'rehearse-reports'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(m![2]!, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'completed', summary: { completed: true } });
    expect(existsSync(path.join(m![2]!, 'report.html'))).toBe(true);
    expect(output).toContain(`report: ${path.join(m![2]!, 'report.html')}`);
  });
});

