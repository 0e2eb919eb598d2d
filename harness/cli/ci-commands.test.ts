// The CI-facing commands as a user meets them: `rehearse report` re-renders an old report.json,
// `rehearse compare` says whether a run regressed (exit 5) and picks baselines from a directory.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';

const BIN = fileURLToPath(new URL('../../bin/rehearse.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../report/fixtures/v2-hold-lock.report.json', import.meta.url));
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...env } });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'rehearse-ci-'));

/** The fixture as a run directory (reports/<run-id>/report.json), optionally edited. */
function reportDir(root: string, edit?: (r: Record<string, any>) => void): string {
  const r = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  edit?.(r);
  const dir = path.join(root, r.runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(r));
  return path.join(dir, 'report.json');
}

describe('rehearse report', () => {
  it('should re-render an old (schema v2) report.json next to it: HTML, JUnit and Markdown, leaving the JSON as it was', () => {
    const dir = tmp();
    const file = path.join(dir, 'report.json');
    copyFileSync(FIXTURE, file);
    const r = cli(['report', file, '--junit', path.join(dir, 'out', 'junit.xml')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('hold — FAIL');
    expect(r.stdout).toContain('FAIL maxStallMs 2,179 ms > 1,000 ms');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('rehearse · hold-lock');
    expect(html).toContain('maxStallMs');
    expect(readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain('| hold ');
    expect(XMLValidator.validate(readFileSync(path.join(dir, 'out', 'junit.xml'), 'utf8'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
  });

  it('should exit 3 with --fail-on-breach when the report failed, and append the summary to $GITHUB_STEP_SUMMARY', () => {
    const dir = tmp();
    const summary = path.join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = cli(['report', reportDir(dir), '--fail-on-breach'], { GITHUB_STEP_SUMMARY: summary });
    expect(r.status).toBe(3);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toContain('budget maxStallMs breached: longestStallMs 2,179 ms > limit 1,000 ms in step hold-lock');
  });

  it('should refuse a file that is not a report, and one from a newer schema, with a code', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.json'), '{"hello": 1}');
    const bad = cli(['report', path.join(dir, 'a.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('REH_REPORT_INVALID');
    const newer = cli(['report', reportDir(dir, (r) => (r.schemaVersion = 99))]);
    expect(newer.status).toBe(2);
    expect(newer.stderr).toMatch(/REH_REPORT_INVALID: .*written by a newer rehearse \(report schema v99/);
  });
});

describe('rehearse cache', () => {
  it('should list the entries of the cache dir with their size and key, and clear those no run uses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-cache-cli-'));
    // One complete entry as the cache writes it (meta.json), of a cluster copied to disk.
    mkdirSync(path.join(dir, 'abc123'));
    const entry = {
      id: 'abc123', provider: 'embedded', identity: 'embedded linux-x64 18.4', key: { dataset: 'd', seed: 1 }, database: 'rehearse_seed',
      saved: { kind: 'data-dir', ref: path.join(dir, 'abc123', 'cluster'), sizeBytes: 3 * 1024 ** 2 }, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: '2026-01-02T00:00:00Z', info: null,
    };
    writeFileSync(path.join(dir, 'abc123', 'meta.json'), JSON.stringify(entry));
    const env = { REHEARSE_CACHE_DIR: dir };
    const ls = cli(['cache', 'ls'], env);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(`warm-start cache ${dir}: 1 entry, 3.00 MiB`);
    expect(ls.stdout).toContain('abc123  embedded embedded linux-x64 18.4  3.00 MiB  last used 2026-01-02T00:00:00Z');
    expect(ls.stdout).toContain('dataset=d seed=1');
    const clear = cli(['cache', 'clear'], env);
    expect(clear.status, clear.stderr).toBe(0);
    expect(clear.stdout).toContain('removed 1 entry (3.00 MiB)');
    expect(existsSync(path.join(dir, 'abc123'))).toBe(false);
    expect(cli(['cache', 'ls'], env).stdout).toContain('0 entries, 0 B');
  });
});

describe('rehearse compare', () => {
  it('should pass a report compared with itself and exit 5 on a regression, naming variant, step and metric', () => {
    const dir = tmp();
    const current = reportDir(path.join(dir, 'cur'));
    expect(cli(['compare', current, current]).status).toBe(0);
    const baseline = reportDir(path.join(dir, 'base'), (r) => {
      r.variants[0].summary.longestStallMs = 200;
    });
    const r = cli(['compare', baseline, current]);
    expect(r.status).toBe(5);
    expect(r.stdout).toContain('hold-lock: REGRESSED');
    expect(r.stdout).toContain('▲ hold: longestStallMs 200 ms → 2,179 ms');
    expect(r.stdout).not.toContain('verdict');
    expect(r.stdout).toMatch(/\(whole run\) +completed, fail /);
  });

  it('should pick the latest earlier report of the same scenario from --baseline-dir', () => {
    const dir = tmp();
    const baselines = path.join(dir, 'baselines');
    reportDir(baselines, (r) => Object.assign(r, { runId: 'old', startedAt: '2020-01-01T00:00:00.000Z' }));
    reportDir(baselines, (r) => Object.assign(r, { runId: 'good', startedAt: '2020-01-02T00:00:00.000Z' }));
    reportDir(baselines, (r) => Object.assign(r, { runId: 'other', startedAt: '2020-01-03T00:00:00.000Z', scenario: 'other' }));
    const r = cli(['compare', '--baseline-dir', baselines, reportDir(path.join(dir, 'cur'))]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`baseline ${path.join(baselines, 'good', 'report.json')}`);
    const none = cli(['compare', '--baseline-dir', path.join(dir, 'cur'), reportDir(path.join(dir, 'cur2'))]);
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('no earlier report of this scenario');
  });

  it('should refuse to compare two different scenarios', () => {
    const dir = tmp();
    const r = cli(['compare', reportDir(path.join(dir, 'a'), (x) => (x.scenario = 'other')), reportDir(path.join(dir, 'b'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('REH_COMPARE_MISMATCH');
  });
});

describe('parseCli for CI', () => {
  it('should take several scenarios, --all, budgets, outputs and subcommands', () => {
    expect(parseCli(['a', 'b', 'c']).scenarios).toEqual(['a', 'b', 'c']);
    expect(parseCli(['--all', '--junit', 'j.xml', '--summary-md', 's.md', '--calibrate'])).toMatchObject({ all: true, junit: 'j.xml', summaryMd: 's.md', calibrate: true });
    expect(parseCli(['--budget', 'longestStallMs{step:contract}<=500', '--budget', 'p99Ms<=200,abortOnFail']).budgets).toEqual({ 'longestStallMs{step:contract}': 500, p99Ms: { limit: 200, abortOnFail: true } });
    expect(parseCli(['compare', 'a.json', 'b.json', '--tolerance', 'p99Ms=100,20%'])).toMatchObject({ command: 'compare', files: ['a.json', 'b.json'], tolerances: { p99Ms: { abs: 100, rel: 0.2 } } });
    expect(parseCli(['report', 'r.json'])).toMatchObject({ command: 'report', files: ['r.json'], scenarios: [] });
  });

  it('should collect every problem of the CI flags at once', () => {
    try {
      parseCli(['compare', 'only-one.json', '--budget', 'stall<=5', '--tolerance', 'x=1']);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('REH_CLI_BAD_VALUE');
      expect((e as Error).message).toContain('unknown budget metric "stall"');
      expect((e as Error).message).toContain('--tolerance: unknown metric "x"');
      expect((e as Error).message).toContain('rehearse compare needs <baseline.json> <current.json>');
    }
  });
});

it('keeps report fixtures where the tests expect them', () => expect(existsSync(FIXTURE)).toBe(true));

describe('several reports at once', () => {
  it('should write one index page linking each report, and one JUnit file for all of them', () => {
    const dir = tmp();
    const a = reportDir(path.join(dir, 'in'), (r) => Object.assign(r, { runId: 'run-a' }));
    const b = reportDir(path.join(dir, 'in'), (r) => Object.assign(r, { runId: 'run-b', scenario: 'second' }));
    const out = path.join(dir, 'out');
    const r = cli(['report', a, b, '--out', out, '--junit', path.join(out, 'junit.xml')]);
    expect(r.status).toBe(0);
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<a href="run-a/report.html">hold-lock</a>');
    expect(index).toContain('<a href="run-b/report.html">second</a>');
    expect(existsSync(path.join(out, 'run-b', 'report.json'))).toBe(true);
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(2);
  });
});
