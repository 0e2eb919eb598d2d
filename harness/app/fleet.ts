// Runs the app under test's instances as child processes and acts as the load balancer: only
// healthy instances are in rotation. A rolling deploy starts a new instance, waits for /health, puts it in
// rotation, then takes an old one out, waits until the load driver has nothing in flight to it
// (like a balancer's connection draining) and only then stops it. So deploy errors can only come
// from the schema and the code, never from traffic sent to a stopping process. An instance that
// dies on its own leaves rotation at once and is reported as an event; the run goes on. With slow
// start, an instance that joins during a deploy gets a share of traffic that ramps up (rotation.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { RehearseError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { now, sleep } from '../clock.ts';
import type { Balancer, LoadTarget } from '../load/types.ts';
import type { PoolSample } from '../model/records.ts';
import { INSTANCE_ENV, type InstanceConfig } from './instance.ts';
import type { AppSettings, AppUnderTest } from './types.ts';
import { Rotation } from './rotation.ts';


// By absolute URL: `--import tsx` would resolve from the user's cwd, not from this package.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Instance extends LoadTarget {
  version: string;
  child: ChildProcess;
  poolWaiting: number;
  sqlstates: Record<string, number>;
}

export interface FleetOptions {
  app: AppUnderTest;
  databaseUrl: string;
  instances: number;
  settings: AppSettings;
  /** Balancer slow start in ms (0 or absent: a new instance gets its full share at once). */
  slowStartMs?: number;
  onLog?: (line: string) => void;
  /** An instance exited without being asked to (crash, OOM, SIGKILL). */
  onInstanceExit?: (e: { instance: string; version: string; code: number | null; signal: string | null; t: number }) => void;
}

export interface DeployEvent {
  instance: string;
  action: 'started' | 'in-rotation' | 'out-of-rotation' | 'drained' | 'stopped';
  version: string;
  t: number;
}

export class AppFleet implements Balancer {
  private readonly rotation: Rotation<Instance>;
  private all = new Set<Instance>();
  /** Every instance process from fork to exit, ready or not: its CPU is the app's. */
  private living = new Map<string, { version: string; child: ChildProcess }>();
  private seq = 0;
  readonly poolSamples: PoolSample[] = [];
  /** SQLSTATE counts of instances that have already exited. */
  private retiredSqlstates: Record<string, number> = {};
  private drainer: (targetId: string) => Promise<void> = async () => {};
  /** The version a replacement instance runs: the last one started or deployed (as a supervisor's spec). */
  private desiredVersion: string | null = null;

  constructor(private readonly opts: FleetOptions) {
    this.rotation = new Rotation<Instance>(opts.slowStartMs ?? 0);
  }

  inRotation(): readonly LoadTarget[] {
    return this.rotation.inRotation();
  }

  /** Live instance processes (starting, in rotation or draining), for CPU accounting. */
  processes(): { id: string; version: string; pid: number | null }[] {
    return [...this.living].map(([id, p]) => ({ id, version: p.version, pid: p.child.pid ?? null }));
  }

  /** The load driver tells the fleet how to wait until an instance has nothing in flight. */
  setDrainer(drain: (targetId: string) => Promise<void>): void {
    this.drainer = drain;
  }

  versions(): string[] {
    return this.rotation.list().map((i) => i.version);
  }

  sqlstates(): Record<string, number> {
    const out = { ...this.retiredSqlstates };
    for (const i of this.all) for (const [k, v] of Object.entries(i.sqlstates)) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  async start(version: string): Promise<void> {
    this.desiredVersion = version;
    const started = await Promise.all(Array.from({ length: this.opts.instances }, () => this.spawnInstance(version)));
    for (const i of started) this.rotation.add(i, { warm: true });
  }

  /** Replace every instance, one at a time, with one running `version`. */
  async rollingDeploy(version: string, onEvent: (e: DeployEvent) => void = () => {}): Promise<void> {
    this.desiredVersion = version;
    for (const old of this.rotation.list()) {
      // Died meanwhile (and was replaced by addInstance, already on `version`): nothing to replace.
      if (!this.all.has(old)) continue;
      const fresh = await this.spawnInstance(version);
      onEvent({ instance: fresh.id, action: 'started', version, t: now() });
      this.rotation.add(fresh, { warm: false });
      onEvent({ instance: fresh.id, action: 'in-rotation', version, t: now() });
      this.rotation.remove(old);
      onEvent({ instance: old.id, action: 'out-of-rotation', version: old.version, t: now() });
      await this.drainer(old.id);
      onEvent({ instance: old.id, action: 'drained', version: old.version, t: now() });
      await this.stopInstance(old);
      onEvent({ instance: old.id, action: 'stopped', version: old.version, t: now() });
    }
  }

  /** The instance in rotation started first or last. */
  pick(which: 'oldest' | 'newest'): Instance | undefined {
    const byAge = this.rotation.list().sort((a, b) => Number(a.id.slice(4)) - Number(b.id.slice(4)));
    return which === 'oldest' ? byAge[0] : byAge.at(-1);
  }

  /** Sends `signal` to an instance and resolves once it exited (it leaves rotation as a death: onInstanceExit). */
  async kill(id: string, signal: NodeJS.Signals): Promise<void> {
    const instance = [...this.all].find((i) => i.id === id);
    if (!instance) throw new Error(`no running instance ${id}`);
    const { child } = instance;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  /** Starts one more instance of the current version and puts it in rotation once healthy. */
  async addInstance(): Promise<Instance> {
    if (this.desiredVersion === null) throw new Error('the fleet has not been started');
    const fresh = await this.spawnInstance(this.desiredVersion);
    this.rotation.add(fresh, { warm: false });
    return fresh;
  }

  /** Most requests waiting for a pool connection across the fleet at once, between two monotonic times. */
  peakPoolWaiting(fromT: number, toT: number): number {
    const latest = new Map<string, number>();
    let peak = 0;
    for (const s of this.poolSamples) {
      latest.set(s.instance, s.poolWaiting);
      if (s.t >= fromT && s.t <= toT) peak = Math.max(peak, [...latest.values()].reduce((a, b) => a + b, 0));
    }
    return peak;
  }

  async stop(): Promise<void> {
    this.rotation.clear();
    await Promise.all([...this.all].map((i) => this.stopInstance(i)));
  }

  private async spawnInstance(version: string): Promise<Instance> {
    const id = `app-${++this.seq}`;
    const { entry, args } = this.opts.app.instanceCommand(version);
    const config: InstanceConfig = { instanceId: id, version, databaseUrl: this.opts.databaseUrl, settings: this.opts.settings };
    const child = fork(entry, args, {
      execArgv: ['--import', TSX_LOADER],
      // Its own process group: a terminal's Ctrl-C reaches the harness, which drains and stops
      // the app in order; the IPC channel still ends the instance if the harness dies.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, [INSTANCE_ENV]: JSON.stringify(config) },
    });
    const log = (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => this.opts.onLog?.(`[${id}] ${l}`));
    child.stdout!.on('data', log);
    child.stderr!.on('data', log);
    const killGroup = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const unregister = registerCleanup({ name: `app ${id}`, run: async () => killGroup(), runSync: killGroup });
    child.once('exit', unregister);
    this.living.set(id, { version, child });
    child.once('exit', () => this.living.delete(id));

    const instance: Instance = { id, origin: '', version, child, poolWaiting: 0, sqlstates: {} };
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not report ready within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.on('message', (m: { type: string; port?: number; poolWaiting?: number; sqlstates?: Record<string, number>; message?: string }) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m.port!);
        } else if (m.type === 'stats') {
          instance.poolWaiting = m.poolWaiting ?? 0;
          instance.sqlstates = m.sqlstates ?? {};
          this.poolSamples.push({ t: now(), instance: id, poolWaiting: instance.poolWaiting });
        } else if (m.type === 'fatal') {
          clearTimeout(timer);
          reject(new Error(m.message));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code} before it was ready`));
      });
    }).catch((cause) => {
      child.kill('SIGKILL');
      throw new RehearseError('REH_APP_START_FAILED', `app instance ${id} (${version}) failed to start: ${(cause as Error).message}`, { cause });
    });
    instance.origin = `http://127.0.0.1:${port}`;
    this.all.add(instance);
    child.once('exit', (code, signal) => {
      // Still ours and not being stopped: it died. Take it out of rotation so no user is sent to it.
      if (!this.all.has(instance)) return;
      this.rotation.remove(instance);
      this.retire(instance);
      this.opts.onInstanceExit?.({ instance: id, version, code, signal, t: now() });
    });
    await this.waitHealthy(instance);
    return instance;
  }

  private async waitHealthy(instance: Instance): Promise<void> {
    const deadline = now() + START_TIMEOUT_MS;
    while (now() < deadline) {
      try {
        const res = await fetch(`${instance.origin}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new RehearseError('REH_APP_START_FAILED', `app instance ${instance.id} never became healthy`);
  }

  /** Forget an instance: its pool no longer adds to the fleet's waiting count; keep its SQLSTATE counts. */
  private retire(instance: Instance): boolean {
    if (!this.all.delete(instance)) return false;
    this.poolSamples.push({ t: now(), instance: instance.id, poolWaiting: 0 });
    for (const [k, v] of Object.entries(instance.sqlstates)) this.retiredSqlstates[k] = (this.retiredSqlstates[k] ?? 0) + v;
    return true;
  }

  private async stopInstance(instance: Instance): Promise<void> {
    if (!this.retire(instance)) return;
    const { child } = instance;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.send({ type: 'shutdown' });
    else child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
