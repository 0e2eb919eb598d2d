import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../errors.ts';
import { validateScenario } from '../plan/load-scenario.ts';
import { defineScenario } from '../scenario.ts';
import { loadWorkload } from './load-workload.ts';
import { workloadApp } from './workload-app.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('loadWorkload', () => {
  it('should list every problem of a workload file with its file:line', async () => {
    const err = (await loadWorkload(fixture('bad-workload.ts')).catch((e) => e)) as RehearseError;
    expect(err).toBeInstanceOf(RehearseError);
    expect(err.code).toBe('REH_WORKLOAD_INVALID');
    expect(err.message).toMatch(/4 problems/);
    expect(err.message).toMatch(/bad-workload\.ts:8: query "wrongCount": the SQL uses \$2 but params has 1 entry/);
    expect(err.message).toMatch(/bad-workload\.ts:9: query "unknownGenerator": params\[0\]: unknown generator "integer"/);
    // The syntax error is on the fourth line of the SQL text, which starts on the `sql:` line.
    expect(err.message).toMatch(/bad-workload\.ts:14: query "syntaxError": SQL syntax error at line 4/);
    expect(err.message).toMatch(/bad-workload\.ts:21: version "dual-write" changes query "cancelBookng", which the base does not define/);
    expect(err.where).toMatch(/bad-workload\.ts:8$/);
  });

  it('should say when the file is missing or has no default export', async () => {
    await expect(loadWorkload('no/such/workload.ts')).rejects.toMatchObject({ code: 'REH_WORKLOAD_INVALID', message: expect.stringMatching(/not found/) });
    await expect(loadWorkload(fixture('booking-schema.ts'))).rejects.toMatchObject({ code: 'REH_WORKLOAD_INVALID', message: expect.stringMatching(/no default export/) });
  });

  it('should let deploy steps name only versions the workload defines', async () => {
    const scenario = defineScenario({
      name: 'x', description: 'x',
      app: workloadApp({ workload: { queries: { q: { sql: 'select 1' } }, versions: { v2: { q: { sql: 'select 2' } } } } }),
      variants: { a: { description: 'a', steps: [{ kind: 'deploy', name: 'ok', version: 'v2' }, { kind: 'deploy', name: 'typo', version: 'v3' }] } },
    });
    const problems = await validateScenario(scenario);
    expect(problems.map((p) => p.message)).toEqual(['variant "a" step 2 (typo): version "v3" is not one of app.versions (base, v2)']);
  });
});
