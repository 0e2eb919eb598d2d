// --background and the config's `background`: the same sessions, every mistake said at once.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../cli/args.ts';
import { parseBackgroundFlag } from './background-option.ts';
import { resolveRunInput } from './run-input.ts';

describe('--background', () => {
  it('should read kind:table:hold[@start]', () => {
    expect(parseBackgroundFlag('idle-in-transaction:users:30s')).toEqual({ name: 'idle-in-transaction-users', session: 'idle-in-transaction', table: 'users', seconds: 30, startAfterSeconds: 0 });
    expect(parseBackgroundFlag('long-query:public.orders:1500ms@2s')).toMatchObject({ table: 'public.orders', seconds: 1.5, startAfterSeconds: 2 });
  });

  it('should refuse a bad kind, table or duration with the form to write', () => {
    expect(parseBackgroundFlag('sleepy:users:30s')).toEqual({ problem: expect.stringContaining('session must be one of long-query, idle-in-transaction, repeated-query, for-update') });
    expect(parseBackgroundFlag('long-query:users;drop:30s')).toEqual({ problem: expect.stringContaining('table must be a table name') });
    expect(parseBackgroundFlag('long-query:users:soon')).toEqual({ problem: expect.stringContaining('write kind:table:hold[@start]') });
  });

  it('should name two sessions of one kind on one table apart, and report every bad flag together', () => {
    const o = parseCli(['--background', 'long-query:users:1s', '--background', 'long-query:users:2s']);
    expect(o.background.map((b) => b.name)).toEqual(['long-query-users', 'long-query-users-2']);
    expect(() => parseCli(['--background', 'x:users:1s', '--background', 'long-query:users:?'])).toThrow(/x:users:1s.*long-query:users:\?/s);
  });

  it('should take the config\'s sessions when no flag is given, with durations in words', () => {
    const cli = parseCli([]);
    const input = resolveRunInput(cli, { file: '/x/rehearse.config.ts', config: { background: [{ session: 'idle-in-transaction', table: 'users', hold: '30s', startAfter: '5s', name: 'batch' }] } });
    expect(input.background).toEqual([{ name: 'batch', session: 'idle-in-transaction', table: 'users', seconds: 30, startAfterSeconds: 5 }]);
    expect(resolveRunInput(parseCli(['--background', 'long-query:users:1s']), { file: '/x', config: { background: [{ session: 'idle-in-transaction', table: 'users', hold: '30s' }] } }).background.map((b) => b.session)).toEqual(['long-query']);
  });
});
