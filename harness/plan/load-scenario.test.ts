import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarioNames, loadScenario, resolveScenarioFile } from './load-scenario.ts';

const scenarioFile = (body: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'rehearse-scn-')), 'bad.ts');
  writeFileSync(f, body);
  return f;
};

describe('scenarios', () => {
  it('should list and load every shipped scenario', async () => {
    expect(listScenarioNames()).toContain('change-column-type');
    for (const name of listScenarioNames()) await expect(loadScenario(resolveScenarioFile(name))).resolves.toHaveProperty('name', name);
  });

  it('should report every problem of a malformed scenario with its file:line', async () => {
    const f = scenarioFile(`export default {
  name: 'bad',
  description: 'x',
  app: { name: 'x', initialVersion: 'old', versions: { old: {} }, create() {} },
  variants: {
    v: {
      description: 'x',
      steps: [
        { kind: 'deploy', name: 'deploy-missing', version: 'v9' },
        { kind: 'backfill', name: 'bf', table: 'users; drop table x', set: '' },
        { kind: 'teleport', name: 'beam' },
        { kind: 'sql', name: 'typo', sql: 'ALTER TABLE users ADD COLUM x int' },
      ],
    },
  },
};
`);
    const err = await loadScenario(f).catch((e) => e);
    expect(err.code).toBe('REH_SCENARIO_INVALID');
    expect(err.where).toBe(`${f}:9`);
    expect(err.message).toContain('version "v9" is not one of app.versions (old)');
    expect(err.message).toContain('table must be an identifier');
    expect(err.message).toContain('set (the SET clause) is required');
    expect(err.message).toContain('unknown kind "teleport"');
    expect(err.message).toContain('step 4 (typo): SQL syntax error on line 1 of the statement: syntax error at or near "int"');
  });

  it('should report a file that does not load', async () => {
    const err = await loadScenario(scenarioFile('export default {;')).catch((e) => e);
    expect(err.code).toBe('REH_SCENARIO_INVALID');
  });
});
