// --calibrate: before the variants, hold ACCESS EXCLUSIVE on a scratch table for a known 1 s
// under open-model load, through exactly the code a variant runs (fleet, load driver, lock
// sampler, statement tracer, result model), and report how far each detector was off on this
// machine. A reader of a CI report then knows how much to trust its numbers on that runner.
import type { AppSettings, Calibration, DatasetInfo } from '../model/schema.ts';
import { exclusiveHoldMs } from '../model/projection.ts';
import { createDatabase, dropDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { runVariant } from '../runner/run-variant.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { CALIBRATION_ROUTE, CALIBRATION_TABLE, calibrationApp, calibrationDataset } from './calibration-app.ts';

export const CALIBRATION_HOLD_MS = 1000;
/** The detectors are proven within ±50 ms on holds of 0.5–5 s (runner/ground-truth.test.ts). */
export const CALIBRATION_TOLERANCE_MS = 50;
/** 5 ms between arrivals: the stall detector's own resolution stays well inside the tolerance. */
export const CALIBRATION_RATE = 200;

const SEED_DB = 'rehearse_calibration_seed';

const scenario: ScenarioDefinition = {
  name: 'calibration',
  description: `ACCESS EXCLUSIVE on a scratch table for ${CALIBRATION_HOLD_MS} ms under load`,
  app: calibrationApp,
  dataset: calibrationDataset,
  variants: {
    calibration: {
      description: `LOCK TABLE ${CALIBRATION_TABLE} IN ACCESS EXCLUSIVE MODE, then pg_sleep(${CALIBRATION_HOLD_MS / 1000}), in one transaction`,
      steps: [
        { kind: 'pause', name: 'before', seconds: 1 },
        { kind: 'sql', name: 'hold', sql: [`LOCK TABLE ${CALIBRATION_TABLE} IN ACCESS EXCLUSIVE MODE`, `SELECT pg_sleep(${CALIBRATION_HOLD_MS / 1000})`] },
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
};

export interface CalibrateOptions {
  pg: PostgresHandle;
  instances: number;
  appSettings: AppSettings;
  sampleIntervalMs: number;
  seed: number;
  log: (line: string) => void;
  signal: AbortSignal;
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  o.log(`calibrating: ACCESS EXCLUSIVE on ${CALIBRATION_TABLE} for ${CALIBRATION_HOLD_MS} ms at ${CALIBRATION_RATE} req/s…`);
  await createDatabase(o.pg, SEED_DB);
  try {
    const seeded = await calibrationDataset.seed(o.pg.url(SEED_DB), { seed: o.seed, rows: { tables: {} } });
    const dataset: DatasetInfo = { description: calibrationDataset.description, seed: o.seed, tables: seeded.tables };
    const app = await calibrationApp.create({ scenarioFile: null, seededUrl: o.pg.url(SEED_DB), seed: o.seed, migrationSql: [], log: o.log });
    const result = await runVariant({
      pg: o.pg, templateDb: SEED_DB, scenario, variant: 'calibration', app, appSettings: o.appSettings,
      // Warmed up like every variant, so the hold is measured on a steady app.
      load: { model: 'open', rate: CALIBRATION_RATE, connections: 0, timeoutMs: 30_000, seed: o.seed, capacityRps: null, mix: app.mix, warmup: { mode: 'auto' } },
      instances: o.instances, slowStartMs: 0, sampleIntervalMs: o.sampleIntervalMs, budgets: [], dataset, log: (l) => o.log(`  ${l.trim()}`), signal: o.signal,
    });
    const hold = result.steps.find((s) => s.name === 'hold');
    const holds = (hold?.statements ?? []).map(exclusiveHoldMs).filter((x): x is number => x !== null);
    const tracedHoldMs = holds.length ? Math.round(Math.max(...holds)) : null;
    const stall = result.stalls.find((s) => s.route === CALIBRATION_ROUTE) ?? null;
    const stallMs = stall?.durationMs ?? null;
    const waits = result.lockWaits.filter((w) => w.application.startsWith('rehearse-app/') && w.relation === CALIBRATION_TABLE);
    const lockWaitMs = waits.length ? Math.max(...waits.map((w) => w.lastSeenMs - (w.waitStartMs ?? w.firstSeenMs))) : null;
    const diff = (a: number | null) => (a === null || tracedHoldMs === null ? null : Math.round(a - tracedHoldMs));
    const stallErrorMs = diff(stallMs);
    const ok = stallErrorMs !== null && Math.abs(stallErrorMs) <= CALIBRATION_TOLERANCE_MS && hold?.status === 'ok';
    const signed = (x: number | null) => (x === null ? 'not measured' : `${x >= 0 ? '+' : ''}${x} ms`);
    const summary = tracedHoldMs === null || stallMs === null
      ? `the calibration hold was not measured (${hold?.status === 'ok' ? 'no stall or no hold detected' : `step ${hold?.status ?? 'missing'}`}): detector error on this machine unknown`
      : `a ${tracedHoldMs} ms ACCESS EXCLUSIVE hold showed as a ${stallMs} ms stall (${signed(stallErrorMs)}${ok ? `, within ±${CALIBRATION_TOLERANCE_MS} ms` : `, outside ±${CALIBRATION_TOLERANCE_MS} ms: stall figures on this machine carry that much error`}); longest lock wait seen ${lockWaitMs ?? '—'} ms (${signed(diff(lockWaitMs))}, sampled every ${o.sampleIntervalMs} ms)`;
    o.log(`calibration: ${summary}`);
    return {
      holdTargetMs: CALIBRATION_HOLD_MS, tracedHoldMs, stallMs, stallErrorMs, lockWaitMs, lockWaitErrorMs: diff(lockWaitMs),
      toleranceMs: CALIBRATION_TOLERANCE_MS, ok, rate: CALIBRATION_RATE, requests: result.summary.requests, summary,
    };
  } finally {
    await dropDatabase(o.pg, SEED_DB).catch(() => {});
  }
}
