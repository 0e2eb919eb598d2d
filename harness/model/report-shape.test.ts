// report.json is a public contract (CI jobs and other tools read it). Its field names, recursively,
// are recorded in report-fields.txt: a change to them fails here until it is made on purpose —
// new fields are added to that file and listed in docs/report-schema.md; a rename or removal also
// bumps SCHEMA_VERSION. The report is built by the real pipeline from measurements that fill every
// optional field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleReport } from './assemble-report.ts';
import { buildVariantResult, type VariantMeasurements } from './build-result.ts';
import { projectScales } from './projection.ts';
import { resolveBudgets } from './budgets.ts';
import { DEFAULT_STEADY_CRITERIA } from './steady-state.ts';
import type { RequestRecord } from './records.ts';
import { SCHEMA_VERSION, type StepResult, type VariantResult } from './schema.ts';
import { StepClock } from './windows.ts';

const FIELDS_FILE = new URL('./report-fields.txt', import.meta.url);
/** Objects whose keys are data (SQLSTATEs, routes, tables, step-specific facts), not schema. */
const MAPS = new Set(['errorsBySqlstate', 'mix', 'tables', 'details', 'productionRows']);

/** Every field path of a JSON value: `a.b`, `list[].c`, `map{}` for data-keyed objects. */
function fieldPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) fieldPaths(item, `${prefix}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const isMap = MAPS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v);
      out.add(isMap ? `${path}{}` : path);
      if (!isMap) fieldPaths(v, path, out);
    }
  }
  return out;
}

function fullReport() {
  const rec = (route: string, s: number, e: number, outcome: RequestRecord['outcome'] = 'ok', sqlstate?: string): RequestRecord =>
    ({ route, target: 'a', scheduledMs: s, sentMs: s, endMs: e, status: outcome === 'ok' ? 200 : 500, outcome, ...(sqlstate ? { sqlstate } : {}), wireMs: s, poolMs: 1, dbMs: e - s - 2, backendPid: 5 });
  const clock = new StepClock();
  clock.steps.push({ name: 'alter', startMs: 1000, endMs: 2000 }, { name: 'verify', startMs: 2000, endMs: 2100 });
  clock.statements.push({ name: 'ALTER TABLE t ADD c int', startMs: 1000, endMs: 1900 });
  const error = { sqlstate: '55P03', message: 'lock timeout' };
  const steps: StepResult[] = [
    {
      name: 'alter', kind: 'sql', status: 'ok', startMs: 0, endMs: 1000, durationMs: 1000, details: { anything: 1 },
      statements: [{
        sql: 'ALTER TABLE t ADD c int', startMs: 0, endMs: 900, durationMs: 900, lockWaitMs: 100, locks: [{ mode: 'AccessExclusiveLock', relation: 't', locktype: 'relation' }],
        source: { file: 'migrations/1.sql', line: 3 }, transaction: 1, heldUntilMs: 950,
        rewrote: false, rewrittenRelations: ['t'], status: 'ok', error,
        attempts: [{ attempt: 1, startMs: 0, durationMs: 100, lockWaitMs: 100, error }, { attempt: 2, startMs: 300, durationMs: 600, lockWaitMs: 0 }],
      }],
    },
    { name: 'verify', kind: 'verify', status: 'failed', startMs: 1000, endMs: 1100, durationMs: 100, statements: [], error: { code: 'REH_STEP_FAILED', sqlstate: '23505', message: 'x' } },
  ];
  const m: VariantMeasurements = {
    runStartMs: 1000, runEndMs: 3000, clock, steps, interrupted: false,
    warmup: { mode: 'fixed', endMs: 1000, settled: null, criteria: DEFAULT_STEADY_CRITERIA },
    cpu: { samples: [{ t: 1000, machine: { busy: 10, total: 20 }, components: { h: 1 } }, { t: 2000, machine: { busy: 11, total: 22 }, components: { h: 1.5 } }, { t: 3000, machine: { busy: 12.5, total: 24 }, components: { h: 2 } }], components: [{ name: 'h', kind: 'harness', label: 'harness' }], cores: 2, intervalMs: 250 }, variant: 's', plannedSteps: ['alter', 'verify'],
    budgets: resolveBudgets([{ from: 'run', budgets: { maxStallMs: 1000, maxErrorRate: 0, 'p99Ms{route:w}': { limit: 10, abortOnFail: true } } }]),
    records: [rec('w', 1000, 1900), rec('w', 1100, 1200, 'non2xx', '55P03'), rec('r', 1000, 1010)],
    lockSamples: [{
      t: 1100, waiters: [{ pid: 5, application: 'app', mode: 'RowExclusiveLock', relation: 't', blockers: [9], waitingMs: 50, query: 'UPDATE t' }],
      blockers: [{ pid: 9, application: 'rehearse-migration', state: 'idle in transaction', xactAgeMs: 100, query: 'ALTER TABLE t ADD c int', waiting: false }],
    }],
    poolSamples: [{ t: 1100, instance: 'a', poolWaiting: 1 }],
  };
  const meta = (variant: string, rows: number): Omit<VariantResult, 'summary' | 'steps' | 'timeline' | 'stalls' | 'lockWaits' | 'durationMs'> => ({
    schemaVersion: SCHEMA_VERSION, scenario: 's', variant, description: 'd', startedAt: '2025-01-01T00:00:00.000Z',
    scale: { variant: 's', label: String(rows) },
    postgres: { provider: 'embedded', version: '18.4' },
    dataset: { description: 'd', seed: 1, tables: { t: rows } },
    app: {
      name: 'workload', initialVersion: 'old', settings: { poolSize: 10, statementTimeoutMs: null, lockTimeoutMs: null },
      routes: [{ name: 'w', weight: 1, sql: { old: ['SELECT 1'], new: null }, params: ['pick(t.id)'] }], notes: ['n'],
    },
    load: { model: 'open', rate: 100, connections: null, capacityRps: 500, mix: { w: 1 }, instances: 2, timeoutMs: 30000 },
    events: [{ kind: 'instance-exit', atMs: 10, endMs: 20, label: 'x', details: { code: 1 } }],
    observer: { intervalMs: 100, samples: 1, lockWaitResolutionMs: 20, eventLoopDelay: { p99Ms: 3, maxMs: 41 } },
    migrationPid: 9,
    interrupted: false,
    notMeasured: ['x'],
  });
  const variants = [buildVariantResult(m, meta('s@10', 10)), buildVariantResult(m, meta('s@20', 20))];
  const projection = projectScales(variants.map((result) => ({ base: 's', scale: result.scale!.label, result })), { t: 1000 });
  const seed = { tables: { t: 10 }, seconds: 1, rowsPerSec: 10, reused: false, notes: ['n'] };
  const report = assembleReport({ runId: 'r', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1, scenario: 's', variants, toolVersion: '0', seed, projection });
  // Set by the runner, not the model: an abortOnFail budget that stopped the run, and --calibrate.
  const check = report.variants[0]!.summary.budgets[0]!;
  for (const v of report.variants) v.summary.aborted = { budget: check.name, check, atMs: 5, step: 'alter' };
  report.calibration = { holdTargetMs: 2000, tracedHoldMs: 2001, stallMs: 2010, stallErrorMs: 10, lockWaitMs: 1990, lockWaitErrorMs: -10, toleranceMs: 50, ok: true, rate: 100, requests: 10, summary: 's' };
  return report;
}

const recorded = () => {
  const [header, ...fields] = readFileSync(FIELDS_FILE, 'utf8').trim().split('\n');
  return { version: Number(/^schemaVersion (\d+)$/.exec(header!)?.[1]), fields };
};

describe('report.json shape', () => {
  it('should have exactly the field names recorded in report-fields.txt', () => {
    const json = JSON.parse(JSON.stringify(fullReport()));
    const current = [...fieldPaths(json)].sort();
    const { fields } = recorded();
    const added = current.filter((f) => !fields.includes(f));
    const removed = fields.filter((f) => !current.includes(f));
    const hint = `report.json fields changed. New fields: add them to harness/model/report-fields.txt and docs/report-schema.md. Renamed or removed fields: also bump SCHEMA_VERSION. Current fields:\n${current.join('\n')}`;
    expect({ added, removed }, hint).toEqual({ added: [], removed: [] });
  });

  it('should record the field names of the current schema version', () => {
    expect(recorded().version).toBe(SCHEMA_VERSION);
  });

  it('should list nested names, arrays and data-keyed maps', () => {
    expect([...fieldPaths({ a: { b: 1 }, l: [{ c: 1 }, { d: null }], details: { x: { y: 1 } } })].sort()).toEqual(['a', 'a.b', 'details{}', 'l', 'l[].c', 'l[].d']);
  });
});
