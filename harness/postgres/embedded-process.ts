// One postgres postmaster process on a data dir: spawn it with our settings, keep its log, and
// stop it cleanly. The embedded provider owns the work dir around it; this file only runs processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { sleep } from '../clock.ts';
import type { RunAs } from './os-user.ts';
import { waitForSelect1 } from './server-setup.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 40;

export function runToCompletion(cmd: string, args: string[], runAs: RunAs | null, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
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

  private constructor(readonly spec: PostmasterSpec) {
    const args = ['-D', spec.dataDir, '-p', String(spec.port)];
    for (const [k, v] of Object.entries(spec.settings)) args.push('-c', `${k}=${v}`);
    this.child = spawn(spec.postgresBin, args, { ...(spec.runAs ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
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

  killSync(): void {
    if (this.running()) this.child.kill('SIGKILL');
  }

  /** Fast shutdown (sessions aborted, shutdown checkpoint written): the data dir is clean afterwards. */
  async stop(): Promise<void> {
    if (this.running()) {
      this.child.kill('SIGINT');
      const timedOut = await Promise.race([this.exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
      if (timedOut) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
