// What the load conditions do with real processes (sample app fleet, embedded Postgres): a rate far
// beyond what this machine can serve is flagged as saturating it, judged by the machine's own CPU
// counters (so the test holds whatever else runs on the machine); and with slow start, the
// instances a rolling deploy adds take a share of traffic that ramps up.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFleet, type DeployEvent } from '../app/fleet.ts';
import { DEFAULT_APP_SETTINGS } from '../app/types.ts';
import { sleep } from '../clock.ts';
import { startOpenLoad } from '../load/open-model.ts';
import type { RequestRecord } from '../model/records.ts';
import { loadScenario } from '../plan/load-scenario.ts';
import { createDatabase, dropDatabase } from '../postgres/databases.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { formatConsoleSummary } from '../report/format-console.ts';
import { renderHtml } from '../report/render-html.ts';
import { measurementWarnings } from '../report/report-checks.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenarioFile = fileURLToPath(new URL('../../scenarios/testing/steady.ts', import.meta.url));

describe('a deliberately saturating load rate', () => {
  it('should be flagged, in exactly the seconds the machine measured as saturated', async () => {
    // About 1 ms of harness CPU per request, plus the apps' and Postgres' work: 1,500 req/s needs
    // well over the 2 cores of this machine, whatever else runs on it.
    const { report } = await rehearseForTest(scenarioFile, { rows: 5000, rate: 1500, variants: ['idle'], warmup: { mode: 'fixed', ms: 2000 } });
    const v = report.variants[0]!;
    const cpu = v.cpu!;
    const fromMachine = cpu.machine.flatMap((m, t) => (m !== null && m / cpu.cores >= cpu.saturationThreshold ? [t] : []));
    expect(cpu.saturatedSeconds).toEqual(fromMachine);
    expect(cpu.saturatedSeconds.length).toBeGreaterThan(0);
    // Which seconds saturate depends on the machine (a shared one may be busier before or after
    // warm-up): the report must say exactly what was measured, wherever it fell.
    if (cpu.steadyState!.saturatedSeconds > 0) {
      expect(measurementWarnings(v).join('\n')).toMatch(/machine's CPU was saturated in \d+ s of the steady state, before any step ran.*load rate of 1500 req\/s/);
      expect(formatConsoleSummary(report, { color: false })).toMatch(/warning: the machine's CPU was saturated/);
      expect(renderHtml(report)).toContain('with the load rate of 1500 req/s this machine cannot serve and measure at once');
    } else expect(measurementWarnings(v).join('\n')).not.toMatch(/saturated in \d+ s of the steady state/);
    const inStep = fromMachine.filter((t) => t + 1 > v.steps[0]!.startMs / 1000 && t < v.steps[0]!.endMs / 1000).length;
    if (inStep > 0) expect(v.steps[0]!.saturatedSeconds).toBeGreaterThan(0);
    // Saturated seconds after warm-up are named in the report's "not measured" list.
    if (cpu.saturatedSeconds.some((t) => t + 1 > v.warmup!.endMs / 1000)) expect(v.notMeasured.join('\n')).toMatch(/is a statement about this machine, not about the migration/);
    // Every component was measured and did work.
    expect(cpu.components.map((c) => c.kind).sort()).toEqual(['app', 'app', 'harness', 'postgres']);
    for (const c of cpu.components) expect(c.cpuSeconds).toBeGreaterThan(0);
  });
});

describe('slow start in a rolling deploy', () => {
  let pg: PostgresHandle;
  const db = 'slow_start_fleet';
  beforeAll(async () => {
    pg = await startEmbeddedPostgres();
    await createDatabase(pg, db);
    const scenario = await loadScenario(scenarioFile);
    const dataset = await scenario.app.defaultDataset!();
    await dataset.seed(pg.url(db), { seed: 1, rows: { default: 5000, tables: {} }, log: () => {}, signal: new AbortController().signal });
  });
  afterAll(async () => {
    await dropDatabase(pg, db).catch(() => {});
    await pg?.stop();
  });

  /** Rolls the fleet onto the same code under 200 req/s; the records and the deploy's events. */
  const redeploy = async (slowStartMs: number): Promise<{ records: RequestRecord[]; events: DeployEvent[] }> => {
    const scenario = await loadScenario(scenarioFile);
    const app = await scenario.app.create({ scenarioFile, seededUrl: pg.url(db), seed: 1, migrationSql: [], log: () => {} });
    const fleet = new AppFleet({ app, databaseUrl: pg.url(db), instances: 2, settings: DEFAULT_APP_SETTINGS, slowStartMs });
    try {
      await fleet.start('old');
      const load = startOpenLoad({ rate: 200, factory: await app.requestFactory(pg.url(db), 'slow-start'), balancer: fleet, seed: 1, connectionsPerTarget: 256 });
      fleet.setDrainer((id) => load.whenDrained(id));
      await sleep(1500);
      const events: DeployEvent[] = [];
      await fleet.rollingDeploy('same', (e) => events.push(e));
      await sleep(1000);
      return { records: await load.stop({ graceMs: 2000 }), events };
    } finally {
      await fleet.stop();
    }
  };

  /** The first new instance's share of requests scheduled in successive 250 ms slices while it ran next to a warm old one. */
  const rampOfFirstNew = ({ records, events }: { records: RequestRecord[]; events: DeployEvent[] }): number[] => {
    const joined = events.find((e) => e.action === 'in-rotation')!;
    // Until the second new instance joins, the first one shares rotation with a warm old instance only.
    const alone = events.filter((e) => e.action === 'in-rotation')[1]!.t;
    const shares: number[] = [];
    for (let from = joined.t; from + 250 <= alone; from += 250) {
      const slice = records.filter((r) => r.target !== null && r.scheduledMs >= from && r.scheduledMs < from + 250);
      shares.push(slice.filter((r) => r.target === joined.instance).length / slice.length);
    }
    return shares;
  };

  it("should give a new instance a share that starts near Envoy's floor and grows, instead of half at once", async () => {
    const withRamp = rampOfFirstNew(await redeploy(4000));
    const without = rampOfFirstNew(await redeploy(0));
    expect(withRamp.length, 'the first new instance was alone with an old one for a quarter second at least').toBeGreaterThanOrEqual(1);
    // Weight 0.1 → share 9 % at the join; growing while the second new instance starts (when that takes long enough to see).
    expect(withRamp[0]!).toBeLessThan(0.2);
    if (withRamp.length >= 2) expect(withRamp.at(-1)!).toBeGreaterThan(withRamp[0]!);
    expect(without[0]!).toBeGreaterThan(0.4);
    expect(without[0]!).toBeLessThan(0.6);
  });
});
