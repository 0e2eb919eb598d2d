import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sleep } from '../clock.ts';
import { dockerTestEnv } from '../testing/docker-env.ts';
import { dockerClient } from './docker-client.ts';
import { OWNER_PID_LABEL } from './docker-reaper.ts';
import { createDatabase } from './databases.ts';
import { startDockerPostgres } from './docker.ts';

const env = await dockerTestEnv();
if (!env.ready) console.warn(`docker provider tests: ${env.mustRun ? 'FAILING (CI=true)' : 'skipped'}: ${env.reason}`);
const title = (t: string) => (env.ready || env.mustRun ? t : `${t} (skipped: ${env.reason})`);
const GiB = 1024 ** 3;

const containersOf = async (pid: number) =>
  (await dockerClient()).container.dockerode.listContainers({ all: true, filters: { label: [`${OWNER_PID_LABEL}=${pid}`] } });

describe('docker environment', () => {
  it.runIf(env.mustRun)('should have a Docker daemon and the local image in CI', () => {
    expect(env.reason).toBe('');
  });
});

describe.runIf(env.ready)('docker postgres provider', () => {
  it(title('should serve concurrent queries under load, inside the CPU and memory limits asked for'), async () => {
    await using h = await startDockerPostgres({ provider: 'docker', cpus: 1, memoryBytes: 1 * GiB, settings: { work_mem: '9MB' } });
    expect(h.version).toMatch(/^18\./);
    expect(h.host).toBe('127.0.0.1');
    const [info] = await containersOf(process.pid);
    const hostConfig = (await (await dockerClient()).container.dockerode.getContainer(info!.Id).inspect()).HostConfig;
    expect(hostConfig.NanoCpus).toBe(1e9);
    expect(hostConfig.Memory).toBe(GiB);
    expect(hostConfig.NetworkMode).toBe('host');

    await createDatabase(h, 'app'); // created from template1, so pg_stat_statements is there
    const pool = new pg.Pool({ connectionString: h.url('app'), max: 16 });
    pool.on('error', () => {}); // idle clients see the server stop if an assertion fails first
    const setting = async (n: string) => (await pool.query(`SELECT current_setting('${n}') AS v`)).rows[0].v;
    expect(await setting('work_mem')).toBe('9MB');
    expect(await setting('shared_buffers')).toBe('256MB'); // a quarter of the memory limit
    expect(await setting('shared_preload_libraries')).toContain('pg_stat_statements');
    await pool.query('CREATE TABLE acct AS SELECT g AS id, 0 AS balance FROM generate_series(1, 100000) g; ALTER TABLE acct ADD PRIMARY KEY (id)');
    let reads = 0;
    let writes = 0;
    const until = Date.now() + 3000;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const id = 1 + ((w * 7919 + i * 104729) % 100000);
        if (i % 2) {
          await pool.query('UPDATE acct SET balance = balance + 1 WHERE id = $1', [id]);
          writes++;
        } else {
          await pool.query('SELECT balance FROM acct WHERE id = $1', [id]);
          reads++;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    const updated = (await pool.query('SELECT sum(balance)::int AS s FROM acct')).rows[0].s;
    const statements = (await pool.query(`SELECT sum(calls)::int AS n FROM pg_stat_statements WHERE query LIKE 'UPDATE acct%'`)).rows[0].n;
    await pool.end();
    expect(reads + writes).toBeGreaterThan(1000);
    expect(updated).toBe(writes);
    expect(statements).toBe(writes);
  });

  it(title('should make a second session wait as long as an ACCESS EXCLUSIVE lock is held (±20 %)'), async () => {
    await using h = await startDockerPostgres({ provider: 'docker' });
    const holder = new pg.Client({ connectionString: h.url() });
    const waiter = new pg.Client({ connectionString: h.url() });
    await holder.connect();
    await waiter.connect();
    await holder.query('CREATE TABLE t AS SELECT 1 AS id');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const waitStart = performance.now();
    const waited = waiter.query('SELECT count(*) FROM t').then(() => performance.now() - waitStart);
    await sleep(1500);
    const seen = await new pg.Client({ connectionString: h.url() });
    await seen.connect();
    const waiting = (await seen.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows[0].n;
    await seen.end();
    const released = performance.now();
    await holder.query('COMMIT');
    const measured = await waited;
    await holder.end();
    await waiter.end();
    expect(waiting).toBe(1);
    const expected = released - waitStart;
    expect(Math.abs(measured - expected)).toBeLessThanOrEqual(expected * 0.2);
  });

  it(title('should leave no container after stop, nor after SIGINT of the process that started it, and reap one left by SIGKILL'), async () => {
    const h = await startDockerPostgres({ provider: 'docker' });
    expect(await containersOf(process.pid)).toHaveLength(1);
    await h.stop();
    expect(await containersOf(process.pid)).toHaveLength(0);

    const script = fileURLToPath(new URL('../testing/start-docker-and-hang.ts', import.meta.url));
    const startChild = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (b) => resolve(String(b))));
      const { port } = JSON.parse(line) as { port: number };
      return { child, exited, port };
    };

    const interrupted = await startChild();
    expect(await containersOf(interrupted.child.pid!)).toHaveLength(1);
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exited).toBe(130);
    expect(await containersOf(interrupted.child.pid!)).toHaveLength(0);

    const killed = await startChild();
    killed.child.kill('SIGKILL'); // no cleanup can run
    await killed.exited;
    expect(await containersOf(killed.child.pid!)).toHaveLength(1);
    const next = await startDockerPostgres({ provider: 'docker' }); // reaps containers of dead owners first
    expect(await containersOf(killed.child.pid!)).toHaveLength(0);
    await next.stop();
  });
});
