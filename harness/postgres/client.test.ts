// A server-side termination must never crash the process: every pg Client and Pool is made in
// client.ts, with an 'error' listener, and the error reaches the next query instead.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../seed/scratch-db.ts';
import { lastError, pgClient, pgPool, withClient } from './client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));

const terminate = (url: string, pid: number) => withClient(url, 'test-killer', (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));

describe('pg clients', () => {
  it('are only ever created in postgres/client.ts (so each has an error listener)', () => {
    const offenders: string[] = [];
    // Tests make their own clients on purpose; everything that ships goes through client.ts.
    for (const file of ['harness', 'sample-app', 'bench', 'scenarios', 'bin'].flatMap(sources).filter((f) => !f.endsWith('.test.ts'))) {
      if (file.endsWith(path.join('postgres', 'client.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      const pgNamed = /import\s*(type\s*)?\{([^}]*)\}\s*from\s*'pg'/.exec(text);
      if (/new\s+pg\.(Client|Pool)\s*\(/.test(text) || (pgNamed && !pgNamed[1] && /\b(Client|Pool)\b/.test(pgNamed[2]!))) offenders.push(path.relative(ROOT, file));
    }
    expect(offenders).toEqual([]);
  });

  it('survive their backend being terminated while idle, and report it on the next query', async () => {
    const db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'rehearse_client_test');
    try {
      const c = pgClient(db.url, 'test-victim');
      await c.connect();
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(db.url, pid);
      await new Promise((r) => setTimeout(r, 200)); // the FATAL arrives as an 'error' event: no crash
      expect(lastError(c)).toBeDefined();
      await expect(c.query('SELECT 1')).rejects.toThrow();
      await c.end().catch(() => {});

      const pool = pgPool({ connectionString: db.url, application_name: 'test-pool', max: 2 });
      const poolPid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(db.url, poolPid);
      await new Promise((r) => setTimeout(r, 200));
      expect(lastError(pool)).toBeDefined();
      // The pool dropped the dead client and opens a new one.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      await pool.end();
    } finally {
      await db.drop();
    }
  });
});

describe('child processes', () => {
  it('are never started through a shell, so no user string is ever interpolated into a command line', () => {
    const offenders: string[] = [];
    for (const file of ['harness', 'sample-app', 'bench', 'scenarios', 'bin'].flatMap(sources)) {
      const text = readFileSync(file, 'utf8');
      const imported = /import\s*(\*\s*as\s*(\w+)|\{([^}]*)\})\s*from\s*'(node:)?child_process'/.exec(text);
      if (!imported) continue;
      const names = (imported[3] ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0]);
      const shellFns = names.some((n) => n === 'exec' || n === 'execSync') || (imported[2] !== undefined && new RegExp(`\\b${imported[2]}\\.exec(Sync)?\\(`).test(text));
      if (shellFns || /shell\s*:\s*(true|['"`])/.test(text)) offenders.push(path.relative(ROOT, file));
    }
    expect(offenders).toEqual([]);
  });
});
