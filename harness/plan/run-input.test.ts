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
