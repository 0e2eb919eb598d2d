import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RehearseError, sqlstateOf } from './errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = new Map(
  doc.split('\n').filter((l) => l.startsWith('| REH_')).map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    return [cells[1]!, cells[3]!] as const;
  }),
);

describe('error registry', () => {
  it('should document every code with the same hint, and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, hint] of Object.entries(ERROR_CODES)) expect(rows.get(code)).toBe(hint);
  });

  it('should format code, message, place and hint', () => {
    const e = new RehearseError('REH_CLI_BAD_VALUE', '--rows must be an integer', { where: 'scenarios/x.ts:3' });
    expect(e.format()).toBe(`error REH_CLI_BAD_VALUE: --rows must be an integer (scenarios/x.ts:3)\n  hint: ${ERROR_CODES.REH_CLI_BAD_VALUE}`);
  });

  it('should classify pg errors by SQLSTATE only', () => {
    expect(sqlstateOf(Object.assign(new Error('x'), { code: '55P03' }))).toBe('55P03');
    expect(sqlstateOf(new Error('lock timeout'))).toBeUndefined();
  });
});
