// One variant, start to finish: clone the seeded database, start the app fleet, start the
// observers (locks, CPU) and the load, warm up, run the steps, stop everything, and join the
// measurements.
import { AppFleet } from '../app/fleet.ts';
import type { AppUnderTest } from '../app/types.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { now, sleep } from '../clock.ts';
import { startClosedLoad } from '../load/closed-model.ts';
import { startOpenLoad } from '../load/open-model.ts';
import type { LoadRun } from '../load/types.ts';
import { buildVariantResult, metricInputOf, type VariantMeasurements } from '../model/build-result.ts';
import { judgeRollback } from '../model/rollback.ts';
import type { BudgetSpec } from '../model/budgets.ts';
import { SCHEMA_VERSION, type AppSettings, type BudgetAbort, type DatasetInfo, type LoadInfo, type RunEvent, type StepResult, type VariantResult } from '../model/schema.ts';
import { driverQueueing } from '../model/traffic.ts';
import { StepClock } from '../model/windows.ts';
import { CpuSampler, type CpuSource } from '../observe/cpu-sampler.ts';
import { LockSampler } from '../observe/lock-sampler.ts';
import { LockWaitWatcher } from '../observe/statement-tracer.ts';
import { pgClient, withClient } from '../postgres/client.ts';
import { cloneDatabase, dropDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import type { BackgroundSessionSpec, ScenarioDefinition } from '../scenario.ts';

import { describeCheck } from '../report/format-units.ts';
import { BackgroundSessions } from './background-sessions.ts';
import { BudgetWatch } from './budget-watch.ts';
import { FaultSchedule } from './fault-schedule.ts';
import type { OnProgress } from './progress.ts';
import { runSteps } from './run-steps.ts';
import { BudgetBreach, type StepContext } from './step-context.ts';
import { warmUp, type WarmupOutcome, type WarmupSetting } from './warm-up.ts';
import { DEFAULT_STEADY_CRITERIA } from '../model/steady-state.ts';

/** After an abortOnFail stop, keep measuring this long so the report shows whether the app recovered. */
export const ABORT_OBSERVE_MS = 2000;

// Arrivals blocked behind a lock each hold a socket. Our own pool must not be what queues them
// (that would show as a fake stall on other routes), so allow many; fds are 20k here.
const OPEN_MODEL_CONNECTIONS_PER_TARGET = 4096;

export interface LoadPlan {
  model: 'open' | 'closed';
  rate: number; // open model arrivals/s
  connections: number; // closed model
  timeoutMs: number;
  seed: number;
  capacityRps: number | null;
  mix: Readonly<Record<string, number>>;
  warmup: WarmupSetting;
}

/** A background session for the whole run (--background, config `background`), started after the load starts. */
export interface RunBackground extends BackgroundSessionSpec {
  /** Shown as its application_name: rehearse-background/<name>. */
  name: string;
  /** Seconds after the load starts (default 0). */
  startAfterSeconds?: number;
}

export interface VariantRunOptions {
  pg: PostgresHandle;
  templateDb: string;
  scenario: ScenarioDefinition;
  variant: string;
  app: AppUnderTest;
  appSettings: AppSettings;
  load: LoadPlan;
  instances: number;
  /** Balancer slow start for instances joining during deploys, ms; 0 = off. */
  slowStartMs: number;
  sampleIntervalMs: number;
  budgets: readonly BudgetSpec[];
  dataset: DatasetInfo;
  log: (line: string) => void;
  /** Aborted when the run is stopped (Ctrl-C, Postgres died); its reason says why. */
  signal: AbortSignal;
  progress?: OnProgress;
  /** Where the variant is, for the report of a run stopped early. */
  setPhase?: (phase: string) => void;
  /** Sessions beside every variant of the run. */
  background?: readonly RunBackground[];
}

const MIGRATION_APP = 'rehearse-migration';

export async function runVariant(o: VariantRunOptions): Promise<VariantResult> {
  const variant = o.scenario.variants[o.variant]!;
  const db = `rehearse_${o.variant.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
  const url = o.pg.url(db);
  const startedAt = new Date().toISOString();
  const setPhase = o.setPhase ?? (() => {});
  const checkpoint = () => {
    if (o.signal.aborted) throw o.signal.reason;
  };
  o.log(`\n── ${o.scenario.name} / ${o.variant}: ${variant.description}`);
  setPhase('cloning the seeded database');
  await cloneDatabase(o.pg, o.templateDb, db);

  const clock = new StepClock();
  const events: RunEvent[] = [];
  let runStartMs = now();
  const fleet = new AppFleet({
    app: o.app, databaseUrl: url, instances: o.instances, settings: o.appSettings, slowStartMs: o.slowStartMs, onLog: (l) => o.log(`  ${l}`),
    onInstanceExit: (e) => {
      const how = e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
      events.push({ kind: 'instance-exit', atMs: Math.round(e.t - runStartMs), label: `${e.instance} (${e.version}) exited: ${how}`, details: { instance: e.instance, version: e.version, code: e.code, signal: e.signal } });
      o.log(`  ! ${e.instance} (${e.version}) exited (${how}); taken out of rotation`);
    },
  });
  const background = new BackgroundSessions(url, () => runStartMs, o.log);
  const backgroundProblems: string[] = [];
  const backgroundTimers: { timer: NodeJS.Timeout; resolve: () => void; fired: boolean }[] = [];
  const backgroundStarts: Promise<unknown>[] = [];
  const sampler = new LockSampler(url, o.sampleIntervalMs);
  const cpu = new CpuSampler(() => cpuSources(o.pg, fleet));
  // The harness's own lag: the load driver shares this event loop with the observers and the runner.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const watcher = new LockWaitWatcher(url);
  let finalVersions: string[] = [];
  const faults = new FaultSchedule({ runStartMs: () => runStartMs, events, clock, log: o.log, signal: o.signal });
  // Steps stop on Ctrl-C (or Postgres dying) or when an abortOnFail budget breaches; either way
  // the statement in flight is cancelled (its transaction rolls back and releases its locks).
  const budgetStop = new AbortController();
  const stepSignal = AbortSignal.any([o.signal, budgetStop.signal]);
  let aborted: BudgetAbort | null = null;
  let watch: BudgetWatch | null = null;
  const ctx: StepContext = {
    // A server-side termination surfaces on the running query; never as an unhandled 'error' event.
    migration: pgClient(url, MIGRATION_APP),
    migrationPid: 0, // 0 until the migration session reported its pid
    async reconnectMigration() {
      const old = ctx.migration;
      void old.end().catch(() => {});
      const fresh = pgClient(url, MIGRATION_APP);
      await fresh.connect();
      ctx.migration = fresh;
      ctx.migrationPid = (await fresh.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    },
    databaseUrl: url, watcher, fleet, background, requestFactory: null, clock, runStartMs, faults, events, log: o.log, signal: stepSignal, progress: o.progress,
  };
  const steps: StepResult[] = [];
  let load: LoadRun | null = null;
  let measurements!: VariantMeasurements;
  let migrationConnected = false;
  let warm: WarmupOutcome | null = null;
  const onAbort = () => void (ctx.migrationPid && cancelBackend(url, ctx.migrationPid).catch(() => {}));
  stepSignal.addEventListener('abort', onAbort);
  try {
    cpu.start(); // before the fleet, so an instance's start-up CPU is seen too
    checkpoint();
    setPhase('starting the app');
    o.log(`  starting ${o.instances} app instance${o.instances === 1 ? '' : 's'} (${o.scenario.app.initialVersion})…`);
    await fleet.start(o.scenario.app.initialVersion);
    checkpoint();
    ctx.requestFactory = await o.app.requestFactory(url, `${o.variant}-${Date.now().toString(36)}`);
    await Promise.all([sampler.start(), watcher.start(), ctx.migration.connect().then(() => void (migrationConnected = true))]);
    ctx.migrationPid = (await ctx.migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    checkpoint();

    runStartMs = ctx.runStartMs = now();
    loopDelay.enable();
    const factory = ctx.requestFactory;
    load = o.load.model === 'open'
      ? startOpenLoad({ rate: o.load.rate, factory, balancer: fleet, timeoutMs: o.load.timeoutMs, seed: o.load.seed, connectionsPerTarget: OPEN_MODEL_CONNECTIONS_PER_TARGET })
      : startClosedLoad({ connections: o.load.connections, factory, balancer: fleet, timeoutMs: o.load.timeoutMs, seed: o.load.seed });
    const running = load;
    fleet.setDrainer((id) => running.whenDrained(id));
    load.on('tick', (tick) => {
      const since = now() - 1000;
      const recent = sampler.samples.filter((x) => x.t >= since);
      o.progress?.({ kind: 'traffic', tick, lockWaiters: recent.length ? Math.max(...recent.map((x) => x.waiters.length)) : null });
    });
    o.progress?.({ kind: 'variant-start', scenario: o.scenario.name, variant: o.variant, steps: variant.steps.length });
    // Not counted, and nothing migrates yet: budgets are watched from its end on.
    setPhase('warming up');
    warm = await warmUp(load, o.load.warmup, DEFAULT_STEADY_CRITERIA, o.signal, o.log);
    const measuredFrom = warm;
    checkpoint();
    // Sessions beside the migration start once warm-up is over, so they overlap the steps.
    for (const b of o.background ?? []) {
      backgroundStarts.push(new Promise<void>((resolve) => {
        const entry = { resolve, fired: false, timer: setTimeout(() => {
          entry.fired = true;
          if (stepSignal.aborted) return resolve();
          background.start(b.name, b).then(() => resolve(), (err) => {
            backgroundProblems.push(`The background session ${b.name} (${b.session} on ${b.table}) failed to start, so this variant ran without it: ${(err as Error).message}`);
            o.log(`  ! background session ${b.name} failed to start: ${(err as Error).message}`);
            resolve();
          });
        }, (b.startAfterSeconds ?? 0) * 1000) };
        backgroundTimers.push(entry);
      }));
    }
    const plannedSteps = variant.steps.map((st) => st.name);
    watch = new BudgetWatch({
      specs: o.budgets.filter((b) => b.abortOnFail),
      plannedSteps,
      snapshot: () => {
        const t = now();
        return metricInputOf({ variant: o.variant, runStartMs, runEndMs: t, records: [...running.records(), ...running.inFlightRecords(t)], lockSamples: sampler.samples, clock, steps, warmup: warmupOf(measuredFrom) }, t);
      },
      onBreach: (check, at) => {
        const step = clock.stepAt(at);
        aborted = { budget: check.name, check, atMs: Math.round(at - runStartMs), step };
        o.log(`  ✗ budget ${describeCheck(check)}: abortOnFail, stopping the migration${step ? ` (cancelling step ${step})` : ''}; load and observer keep recording`);
        budgetStop.abort(new BudgetBreach(check, `budget ${describeCheck(check)} (abortOnFail)`));
      },
    }).start();

    await runSteps(variant.steps, ctx, steps, setPhase);
    watch.stop();
    finalVersions = [...new Set(fleet.versions())];
    // A careful operator who stopped a migration watches the app recover before walking away.
    if (aborted && !o.signal.aborted) await sleep(ABORT_OBSERVE_MS);
  } finally {
    watch?.stop();
    stepSignal.removeEventListener('abort', onAbort);
    // Background sessions end with the steps: what they blocked is released before the grace below.
    for (const t of backgroundTimers) if (!t.fired) { clearTimeout(t.timer); t.resolve(); }
    // A session still connecting when the steps ended is waited for (bounded), so it is stopped too.
    await Promise.race([Promise.all(backgroundStarts), sleep(5000)]);
    await background.stopAll().catch(() => {});
    events.push(...background.events());
    setPhase('stopping the load and the app');
    // A grace of 2 s lets requests answer; one still blocked after that counts with its true duration.
    const records = load ? await load.stop({ graceMs: o.signal.aborted ? 0 : 2000 }) : [];
    const runEndMs = now();
    loopDelay.disable();
    cpu.stop();
    await Promise.allSettled([sampler.stop(), watcher.stop(), migrationConnected ? ctx.migration.end() : null, fleet.stop()]);
    // Only drop when we will report normally; on interrupt the cleanup removes the whole server.
    if (!o.signal.aborted) await dropDatabase(o.pg, db).catch(() => {});
    measurements = {
      runStartMs, runEndMs, records, lockSamples: sampler.samples, poolSamples: fleet.poolSamples, clock, steps, budgets: o.budgets,
      interrupted: o.signal.aborted, variant: o.variant, plannedSteps: variant.steps.map((st) => st.name), aborted,
      // Interrupted or failed before warm-up ended: nothing was counted yet, so the whole run is warm-up.
      warmup: warmupOf(warm ?? { mode: o.load.warmup.mode, endMs: o.load.warmup.mode === 'off' ? runStartMs : runEndMs, settled: o.load.warmup.mode === 'off' ? null : false }),
      cpu: { samples: cpu.samples, components: cpu.components, cores: cpu.cores, intervalMs: cpu.intervalMs },
    };
    o.progress?.({ kind: 'variant-end', variant: o.variant });
  }
  // Stopped before the load started: nothing of this variant was measured.
  if (!load) throw o.signal.reason ?? new Error('the variant stopped before its load started');
  const loadInfo: LoadInfo = {
    model: o.load.model,
    rate: o.load.model === 'open' ? o.load.rate : null,
    connections: o.load.model === 'closed' ? o.load.connections : null,
    capacityRps: o.load.capacityRps,
    mix: { ...o.load.mix },
    instances: o.instances,
    timeoutMs: o.load.timeoutMs,
    slowStartMs: o.slowStartMs,
  };
  const lag = eventLoopLag(loopDelay);
  const result = buildVariantResult(measurements, {
    schemaVersion: SCHEMA_VERSION,
    scenario: o.scenario.name,
    variant: o.variant,
    description: variant.description,
    startedAt,
    postgres: { provider: o.pg.provider, version: o.pg.version },
    dataset: o.dataset,
    app: {
      name: o.scenario.app.name, initialVersion: o.scenario.app.initialVersion, settings: o.appSettings,
      ...(o.app.routes ? { routes: [...o.app.routes] } : {}), ...(o.app.notes?.length ? { notes: [...o.app.notes] } : {}),
    },
    load: loadInfo,
    events,
    observer: { intervalMs: o.sampleIntervalMs, samples: sampler.samples.length, lockWaitResolutionMs: watcher.pollMs, ...(lag ? { eventLoopDelay: lag } : {}) },
    migrationPid: ctx.migrationPid || null,
    notMeasured: [...notMeasured(o, sampler.overruns, driverQueueing(measurements.records), tracerMs(steps)), ...lagNote(lag), ...faults.notFired, ...cpu.notMeasured, ...cpuCost(cpu, measurements), ...backgroundProblems],
    ...(variant.hardening ? { hardening: variant.hardening } : {}),
  });
  if (variant.rollbackPlan) {
    result.rollback = judgeRollback(result.steps, variant.rollbackPlan, finalVersions.length ? finalVersions.join('+') : null);
    // A rollback that leaves the old code unhealthy fails the variant, whatever the budgets say.
    if (!result.rollback.healthy) result.summary.verdict = 'fail';
  }
  return result;
}

const warmupOf = (w: WarmupOutcome): VariantMeasurements['warmup'] => ({ mode: w.mode, endMs: w.endMs, settled: w.settled, criteria: DEFAULT_STEADY_CRITERIA });

/** Which process trees are the app and the server, asked at every CPU sample (deploys replace instances). */
function cpuSources(pg: PostgresHandle, fleet: AppFleet): CpuSource[] {
  const pid = pg.serverPid?.() ?? null;
  const server: CpuSource = {
    ref: { name: 'postgres', kind: 'postgres', label: 'Postgres (all backends)' },
    pid,
    whyNot: pid === null ? `Postgres CPU: the ${pg.provider} provider does not say which processes on this machine are its server (a container in a VM, or another host), so it is not measured.` : undefined,
  };
  return [server, ...fleet.processes().map((p): CpuSource => ({ ref: { name: p.id, kind: 'app', label: `${p.id} (${p.version})` }, pid: p.pid }))];
}

/** The CPU sampler's own cost, when it is more than a rounding error. */
function cpuCost(cpu: CpuSampler, m: VariantMeasurements): string[] {
  const share = cpu.costMs / Math.max(1, m.runEndMs - m.runStartMs);
  return share >= 0.005 ? [`Observer effect: reading CPU counters every ${cpu.intervalMs} ms took ${(share * 100).toFixed(1)} % of one core in the harness.`] : [];
}

/** Time the statement tracer spent reading catalogs inside migration transactions (while their locks were held). */
const tracerMs = (steps: StepResult[]): number =>
  steps.reduce((sum, s) => sum + (typeof s.details?.tracerMsInTransactions === 'number' ? s.details.tracerMsInTransactions : 0), 0);

function notMeasured(o: VariantRunOptions, overruns: number, queued: number, tracer: number): string[] {
  const out = [
    `Lock waits shorter than the ${o.sampleIntervalMs} ms sampling interval can be missed by the lock sampler (statement lock waits are polled every 20 ms).`,
  ];
  if (o.load.model === 'closed') out.push('Closed-model load: a stalled app stops the senders, so arrivals that would have happened during a stall are not measured (coordinated omission); latency is measured from send time.');
  if (queued > 0) out.push(`${queued} requests waited over 50 ms inside the load driver for a connection (new connects during a pile-up, or all ${OPEN_MODEL_CONNECTIONS_PER_TARGET} per instance busy); their latency includes that wait.`);
  if (overruns > 0) out.push(`The lock sampler skipped ${overruns} samples because the previous sample was still running.`);
  if (tracer > 0) out.push(`Observer effect: after each statement inside a transaction the tracer reads pg_locks and relfilenodes before the next statement or COMMIT; that added ${Math.round(tracer)} ms in total to the time the migration held its locks in this variant.`);
  return out;
}

const LOOP_RESOLUTION_MS = 10;

/** p99 and max of the event-loop delay, in ms; null when nothing was recorded (the load never started). */
function eventLoopLag(h: ReturnType<typeof monitorEventLoopDelay>): { p99Ms: number; maxMs: number } | null {
  if (h.count === 0) return null;
  // Each value is the time between two ticks of a 10 ms timer (an idle loop records ≈ 10 ms): the lag is what is beyond it.
  const lagMs = (ns: number) => Math.max(0, Math.round(ns / 1e6 - LOOP_RESOLUTION_MS));
  return { p99Ms: lagMs(h.percentile(99)), maxMs: lagMs(h.max) };
}

/** The harness lagging is a limit of these measurements: say so once it reaches 50 ms at p99. */
const lagNote = (lag: { p99Ms: number; maxMs: number } | null): string[] =>
  lag && lag.p99Ms >= 50
    ? [`The harness's event loop (load driver, observers and runner in one process) lagged ${lag.p99Ms} ms at p99 and ${lag.maxMs} ms at most while the load ran: request send and receive times can be late by that much.`]
    : [];

const cancelBackend = (url: string, pid: number): Promise<unknown> => withClient(url, 'rehearse-cancel', (c) => c.query('SELECT pg_cancel_backend($1)', [pid]));
