import { availableParallelism } from 'node:os';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describePostgres, parsePostgresSpecs, startPostgres, type ParsedPostgres, type PostgresSpec } from './providers.ts';

const GiB = 1024 ** 3;
const specs = (r: ParsedPostgres): PostgresSpec[] => {
  if (!r.ok) throw new Error(r.errors.map((e) => e.format()).join('\n'));
  return r.specs;
};
const problems = (r: ParsedPostgres) => (r.ok ? [] : r.errors.map((e) => ({ code: e.code, where: e.where, message: e.message })));

describe('postgres specs from flags', () => {
  it('should default to embedded PG 18 with no settings', () => {
    expect(specs(parsePostgresSpecs({}))).toEqual([{ provider: 'embedded', settings: {} }]);
  });

  it('should give one embedded spec per major of --pg, with the settings on each', () => {
    const got = specs(parsePostgresSpecs({ pg: '14, 16,18,16', pgSetting: ['work_mem=64MB', 'random_page_cost = 1.1'] }));
    expect(got).toEqual([14, 16, 18].map((major) => ({ provider: 'embedded', major, settings: { work_mem: '64MB', random_page_cost: '1.1' } })));
  });

  it('should read the docker flags into image, CPU and memory limits', () => {
    const got = specs(parsePostgresSpecs({ postgres: 'docker', pgImage: ['x'], pgCpus: '1', pgMemory: '4g', pgSetting: ['work_mem=64MB'] }));
    expect(got).toEqual([{ provider: 'docker', image: 'x', cpus: 1, memoryBytes: 4 * GiB, settings: { work_mem: '64MB' } }]);
    expect(describePostgres(got[0]!)).toBe('docker x, 1 CPUs, 4 GiB');
    const matrix = specs(parsePostgresSpecs({ postgres: 'docker', pg: '14,18' })).map((s) => (s as { image?: string }).image);
    expect(matrix).toEqual(['rehearse/postgres:14', 'rehearse/postgres:18']);
    const images = specs(parsePostgresSpecs({ postgres: 'docker', pgImage: ['postgres:16,postgres:17', 'postgres:18'], pgMemory: '1.5GiB' }));
    expect(images.map((s) => (s as { image?: string }).image)).toEqual(['postgres:16', 'postgres:17', 'postgres:18']);
    expect((images[0] as { memoryBytes?: number }).memoryBytes).toBe(1.5 * GiB);
  });

  it('should list every problem at once, each with its flag and a code', () => {
    const r = parsePostgresSpecs({
      postgres: 'docker',
      pg: '13,18',
      pgImage: ['postgres:18'],
      pgCpus: 'lots',
      pgMemory: '4x',
      pgSetting: ['nope', 'port=1', 'work_mem=1MB', 'work_mem=2MB'],
      disposable: 'x',
    });
    const got = problems(r);
    expect(got.every((p) => p.code === 'REH_PG_SPEC_INVALID')).toBe(true);
    expect(got.map((p) => p.where).sort()).toEqual(
      ['--disposable', '--pg', '--pg', '--pg-cpus', '--pg-memory', '--pg-setting', '--pg-setting', '--pg-setting'].sort(),
    );
    expect(got.find((p) => p.where === '--disposable')!.message).toContain('--postgres url');
  });

  it('should refuse unknown providers, unknown majors, too many CPUs and too little memory', () => {
    expect(problems(parsePostgresSpecs({ postgres: 'kubernetes' }))[0]!.message).toContain('embedded, docker, url');
    expect(problems(parsePostgresSpecs({ pg: '19' }))[0]!.message).toContain('14, 15, 16, 17, 18');
    expect(problems(parsePostgresSpecs({ postgres: 'docker', pgCpus: String(availableParallelism() + 1) }))[0]!.where).toBe('--pg-cpus');
    expect(problems(parsePostgresSpecs({ postgres: 'docker', pgMemory: '256m' }))[0]!.message).toContain('512m');
    expect(problems(parsePostgresSpecs({ pgCpus: '1' }))[0]!.message).toContain('--postgres docker');
  });

  it('should insist that the url database is named disposable, and never echo its password', () => {
    const url = 'postgres://app:Hunter2Secret@db.example:5432/stage_copy';
    const none = problems(parsePostgresSpecs({ postgres: 'url', pgUrl: url }));
    expect(none).toEqual([expect.objectContaining({ code: 'REH_PG_URL_NOT_DISPOSABLE', where: '--disposable' })]);
    expect(none[0]!.message).toContain('--disposable stage_copy');
    const wrong = problems(parsePostgresSpecs({ postgres: 'url', pgUrl: url, disposable: 'stage' }));
    expect(wrong[0]!.code).toBe('REH_PG_URL_NOT_DISPOSABLE');
    const bad = problems(parsePostgresSpecs({ postgres: 'url', pgUrl: 'mysql://app:Hunter2Secret@h/db', disposable: 'db' }));
    expect(bad[0]!.message).toContain('app:****@h');
    for (const p of [...none, ...wrong, ...bad]) expect(p.message).not.toContain('Hunter2Secret');

    const fromEnv = specs(parsePostgresSpecs({ postgres: 'url', disposable: 'stage_copy', allowForeignSessions: true }, { REHEARSE_PG_URL: url }));
    expect(fromEnv).toEqual([{ provider: 'url', url, disposable: 'stage_copy', allowForeignSessions: true, settings: {} }]);
    expect(describePostgres(fromEnv[0]!)).toBe('url postgres://app:****@db.example:5432/stage_copy');
    expect(problems(parsePostgresSpecs({ postgres: 'url', disposable: 'x' }, {}))[0]!.where).toBe('--pg-url');
  });
});

describe('startPostgres', () => {
  it('should start the provider a spec names and honour its settings', async () => {
    await using h = await startPostgres({ provider: 'embedded', major: 18, settings: { work_mem: '5MB', 'pg_stat_statements.max': '1000' } });
    const c = new pg.Client({ connectionString: h.url() });
    await c.connect();
    const r = (await c.query(`SELECT current_setting('work_mem') AS w, current_setting('pg_stat_statements.max') AS m`)).rows[0];
    await c.end();
    expect(h.provider).toBe('embedded');
    expect(r).toEqual({ w: '5MB', m: '1000' });
  });
});
