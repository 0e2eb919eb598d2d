// One postgres postmaster process on a data dir: spawn it with our settings, keep its log, and
// stop it cleanly. The embedded provider owns the work dir around it; this file only runs processes.
// Postgres and initdb run in their own process group (detached): a terminal's Ctrl-C goes to the
// harness only, which stops the load, writes the report and then stops Postgres itself, instead
// of Postgres dropping every session mid-measurement. A kill takes the whole group, backends too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { hurrySignal, registerCleanup } from '../cleanup.ts';
import { sleep } from '../clock.ts';
import type { RunAs } from './os-user.ts';
import { waitForSelect1 } from './server-setup.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 40;

/** Kill a detached child and everything in its process group. */
const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
};

export function runToCompletion(cmd: string, args: string[], runAs: RunAs | null, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(runAs ?? {}), detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const unregister = registerCleanup({ name: `${path.basename(cmd)} pid ${child.pid}`, run: async () => killGroup(child, 'SIGKILL'), runSync: () => killGroup(child, 'SIGKILL') });
    child.once('exit', unregister);
    let output = '';
    const collect = (b: Buffer) => {
      const s = b.toString();
      output += s;
      s.split('\n').filter(Boolean).forEach(log);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${output.slice(-2000)}`))));
  });
}

export interface PostmasterSpec {
  postgresBin: string;
  dataDir: string;
  port: number;
  settings: Record<string, string>;
  runAs: RunAs | null;
  logFile: string;
  onLog: (line: string) => void;
}

export class Postmaster {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly log: WriteStream;
  private readonly tailLines: string[] = [];
  /** Set once we stop or kill it: an exit after that is ours, not a death. */
  private stopping = false;

  private constructor(readonly spec: PostmasterSpec) {
    const args = ['-D', spec.dataDir, '-p', String(spec.port)];
    for (const [k, v] of Object.entries(spec.settings)) args.push('-c', `${k}=${v}`);
    this.child = spawn(spec.postgresBin, args, { ...(spec.runAs ?? {}), detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.log.write(b);
      for (const line of b.toString().split('\n')) {
        if (!line) continue;
        this.tailLines.push(line);
        if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
        spec.onLog(line);
      }
    });
    this.exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Spawns postgres and resolves once it answers SELECT 1; kills it and throws otherwise. */
  static async start(spec: PostmasterSpec, url: string): Promise<Postmaster> {
    const pm = new Postmaster(spec);
    try {
      await waitForSelect1(url, { timeoutMs: READY_TIMEOUT_MS, gone: () => pm.exitReason(), tail: () => pm.tail() });
    } catch (err) {
      pm.killSync();
      await pm.exited;
      pm.log.end();
      throw err;
    }
    return pm;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Calls back if postgres exits without being asked to (a crash, the OOM killer, someone's kill -9). */
  onUnexpectedExit(cb: (how: string, tail: string) => void): void {
    this.child.once('exit', (code, signal) => {
      if (!this.stopping) cb(signal ? `signal ${signal}` : `exit code ${code}`, this.tail());
    });
  }

  /** Not exited yet (its pid still names this server). */
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private exitReason(): string | null {
    return this.running() ? null : `postgres exited (${this.child.exitCode ?? this.child.signalCode})`;
  }

  tail(): string {
    return this.tailLines.join('\n');
  }

  /** SIGKILL for the whole group: the postmaster's backends would linger after it. */
  killSync(): void {
    this.stopping = true;
    killGroup(this.child, 'SIGKILL');
  }

  /**
   * Fast shutdown (sessions aborted, shutdown checkpoint written): the data dir is clean afterwards.
   * When the process is torn down in a hurry (second Ctrl-C), or fast shutdown takes too long:
   * immediate shutdown (SIGQUIT), then SIGKILL for the group.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running()) {
      const hurry = hurrySignal();
      const hurried = new Promise<void>((r) => (hurry.aborted ? r() : hurry.addEventListener('abort', () => r(), { once: true })));
      this.child.kill(hurry.aborted ? 'SIGQUIT' : 'SIGINT');
      if (await Promise.race([this.exited.then(() => false), hurried.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => true)])) {
        this.child.kill('SIGQUIT');
        if (await Promise.race([this.exited.then(() => false), sleep(3_000).then(() => true)])) {
          killGroup(this.child, 'SIGKILL');
          await this.exited;
        }
      }
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
