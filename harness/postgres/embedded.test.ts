import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('embedded postgres provider', () => {
  it('should start PG 18 on loopback with the rehearsal settings, and remove everything on stop', async () => {
    const handle = await startEmbeddedPostgres();
    expect(handle.version).toMatch(/^18\./);
    expect(handle.host).toBe('127.0.0.1');
    const c = new pg.Client({ connectionString: handle.url() });
    await c.connect();
    const setting = async (name: string) => (await c.query(`SELECT current_setting('${name}') AS v`)).rows[0].v;
    expect(await setting('log_lock_waits')).toBe('on');
    expect(await setting('shared_buffers')).toBe('512MB');
    expect(await setting('max_wal_size')).toBe('8GB');
    expect(await setting('shared_preload_libraries')).toContain('pg_stat_statements');
    await c.query('CREATE DATABASE x');
    await c.end();
    const x = new pg.Client({ connectionString: handle.url('x') });
    await x.connect();
    // Created in template1, so every new database (seed, variants) can read it.
    expect((await x.query('SELECT count(*) >= 0 AS ok FROM pg_stat_statements')).rows[0].ok).toBe(true);
    await x.end();
    const dir = path.dirname(handle.logFile!);
    expect(existsSync(dir)).toBe(true);
    await handle.stop();
    expect(existsSync(dir)).toBe(false);
  });

  it('should start the major asked for: 14 from its aliased package, 18 by default', async () => {
    for (const major of [14, 18] as const) {
      await using handle = await startEmbeddedPostgres({ major, settings: { work_mem: '7MB' } });
      const c = new pg.Client({ connectionString: handle.url() });
      await c.connect();
      const row = (await c.query('SELECT current_setting(\'server_version\') AS v, current_setting(\'work_mem\') AS w')).rows[0];
      await c.end();
      expect(row.v).toMatch(new RegExp(`^${major}\\.`));
      expect(handle.version).toBe(row.v);
      expect(handle.major).toBe(major);
      expect(row.w).toBe('7MB');
    }
  });

  it('should make every concurrent stop() wait until postgres is gone (the runner and Ctrl-C both stop it)', async () => {
    const handle = await startEmbeddedPostgres();
    const dir = path.dirname(handle.logFile!);
    const postmaster = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const first = handle.stop();
    await handle.stop(); // the second caller, e.g. the cleanup registry on SIGINT
    expect(alive(postmaster)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await first;
  });

  it('should reap the postgres and work dir of a harness that was killed', async () => {
    const script = fileURLToPath(new URL('../testing/start-and-hang.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (b) => resolve(String(b))));
    const { dir, postmaster } = JSON.parse(line) as { dir: string; postmaster: number };
    child.kill('SIGKILL'); // no cleanup can run
    await new Promise((r) => child.once('exit', r));
    expect(alive(postmaster)).toBe(true);
    const next = await startEmbeddedPostgres();
    expect(alive(postmaster)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await next.stop();
  });
});
