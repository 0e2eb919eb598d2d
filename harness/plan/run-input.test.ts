import { describe, expect, it } from 'vitest';
import { parseCli } from '../cli/args.ts';
import type { LoadedConfig } from './config.ts';
import { resolveRunInput } from './run-input.ts';

const config = (c: LoadedConfig['config']): LoadedConfig => ({ file: '/x/rehearse.config.ts', config: c });

describe('warm-up and slow start from flags and rehearse.config.ts', () => {
  it('should default to an auto warm-up and no slow start', () => {
    const input = resolveRunInput(parseCli([]), null);
    expect(input.load.warmup).toEqual({ mode: 'auto' });
    expect(input.slowStartMs).toBe(0);
  });

  it('should take them from the config, durations in the config\'s units', () => {
    const input = resolveRunInput(parseCli([]), config({ load: { warmup: '20s' }, app: { slowStart: '30s' } }));
    expect(input.load.warmup).toEqual({ mode: 'fixed', ms: 20_000 });
    expect(input.slowStartMs).toBe(30_000);
    expect(resolveRunInput(parseCli([]), config({ load: { warmup: 'off' }, app: { slowStart: 'off' } }))).toMatchObject({ load: { warmup: { mode: 'off' } }, slowStartMs: 0 });
  });

  it('should let flags given on the command line win over the config', () => {
    const input = resolveRunInput(parseCli(['--warmup', 'auto', '--slow-start', '0']), config({ load: { warmup: '20s' }, app: { slowStart: '30s' } }));
    expect(input.load.warmup).toEqual({ mode: 'auto' });
    expect(input.slowStartMs).toBe(0);
  });
});

describe('the Postgres to rehearse on, from flags and rehearse.config.ts', () => {
  const errorsOf = (fn: () => unknown): { code: string; message: string }[] => {
    try {
      fn();
    } catch (e) {
      const err = e as { code: string; message: string; also?: { code: string; message: string }[] };
      return [err, ...(err.also ?? [])].map((x) => ({ code: x.code, message: x.message }));
    }
    throw new Error('expected the input to be rejected');
  };

  it('should default to one embedded server and the warm-start cache on', () => {
    const input = resolveRunInput(parseCli([]), null);
    expect(input.postgres).toEqual([{ provider: 'embedded', settings: {} }]);
    expect(input.cache).toBe(process.env.REHEARSE_CACHE !== 'off');
    expect(resolveRunInput(parseCli(['--no-cache']), null).cache).toBe(false);
  });

  it('should make one spec per major of --pg, each with the --pg-setting values', () => {
    const input = resolveRunInput(parseCli(['--pg', '16,18', '--pg-setting', 'work_mem=64MB', '--pg-setting', 'jit=off']), null);
    expect(input.postgres).toEqual([
      { provider: 'embedded', major: 16, settings: { work_mem: '64MB', jit: 'off' } },
      { provider: 'embedded', major: 18, settings: { work_mem: '64MB', jit: 'off' } },
    ]);
  });

  it('should take the config\'s postgres block, and let each flag given win over its field', () => {
    const c = config({ postgres: { versions: [14, 18], settings: { work_mem: '32MB' } } });
    expect(resolveRunInput(parseCli([]), c).postgres.map((s) => s.provider === 'embedded' && s.major)).toEqual([14, 18]);
    const flagged = resolveRunInput(parseCli(['--pg', '16']), c).postgres;
    expect(flagged).toEqual([{ provider: 'embedded', major: 16, settings: { work_mem: '32MB' } }]);
  });

  it('should list every problem of the --postgres flags together, each naming its flag', () => {
    const errors = errorsOf(() => resolveRunInput(parseCli(['--pg', '13,16', '--pg-memory', '4g', '--pg-setting', 'port=5433', '--disposable', 'x']), null));
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill('REH_PG_SPEC_INVALID'));
    expect(errors.map((e) => e.message)).toEqual([
      '--pg-memory does not apply to --postgres embedded; it goes with --postgres docker',
      '--disposable does not apply to --postgres embedded; it goes with --postgres url',
      '--pg-setting port is set by rehearse itself (the server must listen where the harness looks)',
      '--pg "13" is not a Postgres major rehearse can run; use one or more of 14, 15, 16, 17, 18',
    ]);
  });

  it('should refuse an unknown provider and a url run without --disposable', () => {
    expect(errorsOf(() => resolveRunInput(parseCli(['--postgres', 'rds']), null))[0]!.message).toContain('--postgres "rds" is not a provider; use one of embedded, docker, url');
    const url = errorsOf(() => resolveRunInput(parseCli(['--postgres', 'url', '--pg-url', 'postgres://u:secret@127.0.0.1:5432/stage']), null));
    expect(url.map((e) => e.code)).toContain('REH_PG_URL_NOT_DISPOSABLE');
    expect(JSON.stringify(url)).not.toContain('secret');
  });
});
