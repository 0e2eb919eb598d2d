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
    const before = ourTempDirs();
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
    // Only the server this CLI started: its data dir is one that did not exist before.
    const isNew = (l: string) => [...l.matchAll(/rehearse-pg-[A-Za-z0-9]+/g)].some((m) => m[0] !== 'rehearse-pg-binaries' && !before.has(m[0]));
    const pgPids = processes('rehearse-pg-').filter(isNew).map((l) => l.trim().split(/\s+/)[0]);
    expect(pgPids.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    await new Promise((r) => setTimeout(r, 500));
    expect(processes('rehearse-pg-').filter((l) => pgPids.includes(l.trim().split(/\s+/)[0]))).toEqual([]);
    expect(processes('sample-app/server.ts')).toEqual([]);
    const after = ourTempDirs();
    expect([...after].filter((d) => !before.has(d))).toEqual([]);
    const report = JSON.parse(readFileSync(path.join(out, 'latest', 'report.json'), 'utf8'));
    expect(report.summary.completed).toBe(false);
    expect(existsSync(path.join(out, 'latest', 'report.html'))).toBe(true);
  });
});
