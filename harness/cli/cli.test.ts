// The CLI as a user meets it: bad input gets a code and a hint; Ctrl-C leaves nothing behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/rehearse.mjs', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

const ourTempDirs = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('rehearse-pg-') && d !== 'rehearse-pg-binaries'));
const processes = (pattern: string) =>
  spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(pattern) && !l.includes('ps -eo'));
/** Every live process under `root`: on a shared machine, other runs' servers and apps are not ours. */
const descendants = (root: number): { pid: number; args: string }[] => {
  const rows = spawnSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).stdout.split('\n').slice(1).flatMap((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }] : [];
  });
  const out: { pid: number; args: string }[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const r of rows) if (r.ppid === parent) (out.push({ pid: r.pid, args: r.args }), queue.push(r.pid));
  }
  return out;
};

describe('rehearse CLI', () => {
  it('should reject an unknown scenario with a code and a hint', () => {
    const r = cli(['no-such-scenario']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('REH_CLI_UNKNOWN_SCENARIO');
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).toContain('change-column-type');
  });

  it('should reject an unknown flag', () => {
    const r = cli(['--rowz', '10']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('REH_CLI_UNKNOWN_FLAG');
    expect(r.stderr).toContain('--rowz');
  });

  it('should reject a non-numeric --rows', () => {
    const r = cli(['--rows', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/REH_CLI_BAD_VALUE: --rows must be an integer/);
  });

  it('should reject an unknown variant', () => {
    const r = cli(['change-column-type', '--variant', 'yolo']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('REH_CLI_UNKNOWN_VARIANT');
  });

  it('should exit 3 with --fail-on-breach when a variant breaches its budget, after writing the report', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
    const scenario = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
    const r = spawnSync(process.execPath, [BIN, scenario, '--variant', 'hold', '--rows', '5000', '--rate', '100', '--fail-on-breach', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(3);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary.verdict).toBe('fail');
    expect(report.summary.completed).toBe(true);
    expect(r.stdout).toContain('maxStallMs');
  });

  it('should exit 4 when a step fails, and still write a report that says what failed', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
    const scenario = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
    const r = spawnSync(process.execPath, [BIN, scenario, '--variant', 'fails', '--rows', '3000', '--rate', '50', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(4);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ verdict: 'fail', completed: false, failedStep: 'broken' });
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['ok', 'failed', 'skipped']);
    expect(report.steps[1].error).toMatchObject({ code: 'REH_STEP_FAILED', sqlstate: '42P01' });
    expect(report.steps[1].statements[0]).toMatchObject({ status: 'failed', error: { sqlstate: '42P01' } });
  });

  it('should leave no postgres, no app process and no temp dir behind after Ctrl-C, and write a partial report', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
    const child = spawn(process.execPath, [BIN, '--rows', '20000', '--rate', '100', '--variant', 'naive', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    // Interrupt once the variant's steps are running (apps and load are up).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never reached a step:\n${output}`)), 90_000);
      const check = setInterval(() => {
        if (output.includes('▶ baseline')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
    // Only what this CLI started: its process tree (other runs share this machine), and the data
    // dirs of its postgres.
    const ours = descendants(child.pid!);
    const pgLines = ours.filter((p) => p.args.includes('rehearse-pg-'));
    const pgPids = pgLines.map((p) => p.pid);
    const pgDirs = [...new Set(pgLines.flatMap((p) => [...p.args.matchAll(/rehearse-pg-[A-Za-z0-9]+/g)].map((m) => m[0]).filter((d) => d !== 'rehearse-pg-binaries')))];
    expect(pgPids.length).toBeGreaterThan(0);
    expect(ours.some((p) => p.args.includes('sample-app/server.ts'))).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    await new Promise((r) => setTimeout(r, 500));
    const alive = new Set(processes('').map((l) => Number(l.trim().split(/\s+/)[0])));
    expect(ours.filter((p) => alive.has(p.pid)).map((p) => p.args)).toEqual([]);
    expect(pgDirs.filter((d) => ourTempDirs().has(d))).toEqual([]);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary.completed).toBe(false);
    expect(existsSync(path.join(out, 'latest', 'report.html'))).toBe(true);
  });
});
