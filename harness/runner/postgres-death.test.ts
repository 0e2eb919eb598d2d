// If Postgres itself dies mid-run, the run ends with a clear error (REH_PG_DIED) and a partial
// report of what was measured until then; the harness process survives the dead connections.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/schema.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { rehearseForTestResult } from '../testing/run-for-test.ts';
import type { RehearseResult } from './rehearse.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
let pg: PostgresHandle;
let result: RehearseResult & { logs: string[] };

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  const postmaster = Number(readFileSync(path.join(path.dirname(pg.logFile!), 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let killed = false;
  result = await rehearseForTestResult(SCENARIO, {
    rows: 3000, rate: 80, instances: 1, variants: ['hold'], postgres: pg,
    onLog: (line) => {
      if (killed || !line.startsWith('▶ baseline')) return;
      killed = true;
      // The whole server at once (postmaster and backends), as when its container or VM goes.
      setTimeout(() => process.kill(-postmaster, 'SIGKILL'), 700);
    },
  });
}, 120_000);

afterAll(() => pg?.stop());

describe('Postgres dying mid-run', () => {
  it('ends the run with REH_PG_DIED instead of a crash or a hang', () => {
    expect(result.error?.code).toBe('REH_PG_DIED');
    expect(result.error?.message).toMatch(/postgres \(pid \d+\) exited unexpectedly \(signal SIGKILL\)/);
  });

  it('writes a partial report that says where the run was and keeps what was measured', () => {
    const report = JSON.parse(readFileSync(result.paths!.json, 'utf8')) as RunReport;
    expect(report).toMatchObject({ status: 'error', error: { code: 'REH_PG_DIED' } });
    expect(report.stoppedDuring).toBe('variant hold: step baseline (pause)');
    const v = report.variants[0]!;
    expect(v.interrupted).toBe(true);
    expect(v.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(v.steps[0]!.error?.code).toBe('REH_PG_DIED');
    expect(v.summary.requests).toBeGreaterThan(0);
  });
});
