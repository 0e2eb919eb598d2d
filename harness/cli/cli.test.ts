// The CLI as a user meets it: bad input gets a code and a hint; Ctrl-C leaves nothing behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/rehearse.mjs', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}
const processTable = (): Proc[] =>
  spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
/** Every process below `root`: only what this CLI started, never another run on the machine. */
const descendants = (root: number): Proc[] => {
  const table = processTable();
  const out: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
};
/** Those of `procs` still running as the same program (a reused pid runs something else). */
const stillRunning = (procs: Proc[]): Proc[] => {
  const now = new Map(processTable().map((p) => [p.pid, p.args]));
  return procs.filter((p) => now.get(p.pid) === p.args);
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
    const r = spawnSync(process.execPath, [BIN, scenario, '--variant', 'hold', '--rows', '5000', '--rate', '100', '--warmup', '1', '--fail-on-breach', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(3);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary.verdict).toBe('fail');
    expect(report.summary.completed).toBe(true);
    expect(r.stdout).toContain('maxStallMs');
  });

  it('should exit 4 when a step fails, and still write a report that says what failed', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
    const scenario = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
    const r = spawnSync(process.execPath, [BIN, scenario, '--variant', 'fails', '--rows', '3000', '--rate', '50', '--warmup', '1', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(4);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ verdict: 'fail', completed: false, failedStep: 'broken' });
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['ok', 'failed', 'skipped']);
    expect(report.steps[1].error).toMatchObject({ code: 'REH_STEP_FAILED', sqlstate: '42P01' });
    expect(report.steps[1].statements[0]).toMatchObject({ status: 'failed', error: { sqlstate: '42P01' } });
  });

  it('should leave no postgres, no app process and no temp dir behind after Ctrl-C, and write a partial report', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-out-'));
    const child = spawn(process.execPath, [BIN, '--rows', '20000', '--rate', '100', '--warmup', '1', '--variant', 'naive', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    // Only this CLI's process tree and the work dir of the server it started.
    const tree = descendants(child.pid!);
    const postmaster = tree.find((p) => / -D \S*rehearse-pg-\w+\/data\b/.test(p.args));
    expect(postmaster, tree.map((p) => p.args).join('\n')).toBeDefined();
    const workDir = path.dirname(/ -D (\S+)/.exec(postmaster!.args)![1]!);
    expect(existsSync(workDir)).toBe(true);
    expect(tree.filter((p) => p.args.includes('sample-app/server.ts'))).toHaveLength(2); // --instances defaults to 2
    expect(tree.filter((p) => p.ppid === postmaster!.pid).length).toBeGreaterThan(0); // its backends
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    await new Promise((r) => setTimeout(r, 500));
    expect(stillRunning(tree)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary.completed).toBe(false);
    expect(existsSync(path.join(out, 'latest', 'report.html'))).toBe(true);
  });
});
