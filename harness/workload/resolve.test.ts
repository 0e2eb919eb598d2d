import { describe, expect, it } from 'vitest';
import { defineWorkload } from './define.ts';
import { int, oneOf, pick, pickRow, seq } from './generators.ts';
import { instanceWorkload, resolveWorkload } from './resolve.ts';

const messages = async (def: unknown) => (await resolveWorkload(def as never)).problems.map((p) => p.message);

describe('resolveWorkload', () => {
  it('should normalise weights and give each version its statements', async () => {
    const b = pickRow('Booking');
    const { workload, problems } = await resolveWorkload(defineWorkload({
      queries: {
        getBooking: { sql: 'select * from "Booking" where uid = $1', params: [b.col('uid')], weight: 3 },
        cancel: { sql: 'update "Booking" set status = $2 where id = $1', params: [b.col('id'), oneOf(['cancelled'])] },
      },
      versions: { 'dual-write': { cancel: { sql: 'update "Booking" set status = $2, status_new = $2 where id = $1' } }, contract: { getBooking: null } },
    }));
    expect(problems).toEqual([]);
    expect(workload!.versions).toEqual(['base', 'dual-write', 'contract']);
    expect(workload!.routes.getBooking!.weight).toBe(0.75);
    expect(workload!.routes.cancel!.versions['dual-write']![0]!.sql).toContain('status_new');
    expect(workload!.routes.cancel!.versions.base![0]!.sql).not.toContain('status_new');
    expect(instanceWorkload(workload!).versions.contract).not.toHaveProperty('getBooking');
  });

  it('should hand each statement of a multi-statement query only the params it uses, renumbered', async () => {
    const { workload } = await resolveWorkload({
      queries: { move: { sql: ['select 1 from t where id = $1 and n = $2 for update', "update t set note = 'ü' || $3 where id = $1"], params: [int(1, 9), int(1, 9), 'x'] } },
    });
    expect(workload!.routes.move!.versions.base).toEqual([
      { sql: 'select 1 from t where id = $1 and n = $2 for update', params: [0, 1] },
      { sql: "update t set note = 'ü' || $2 where id = $1", params: [0, 2] },
    ]);
  });

  it('should report every problem at once, each with the query it is about', async () => {
    const { problems } = await resolveWorkload({
      queries: {
        tooFew: { sql: 'select * from t where a = $1 and b = $2', params: [int(1, 2)] },
        unused: { sql: 'select * from t where a = $2', params: [int(1, 2), int(1, 2)] },
        badGen: { sql: 'select $1::int', params: [{ gen: 'pik', ref: 't.a' }] },
        closure: { sql: 'select $1::int', params: [() => 1] },
        syntax: { sql: 'select * form t', params: [], weight: 2 },
        badPick: { sql: 'select $1::text', params: [pick('justatable')] },
        typo: { sql: 'select 1', prams: [] },
      },
      versions: { v2: { tooFeww: { sql: 'select 1' } }, base: {} },
    } as never);
    const byQuery = Object.fromEntries(problems.map((p) => [p.query ?? p.version ?? '-', p.message]));
    expect(byQuery.tooFew).toMatch(/uses \$2 but params has 1 entry/);
    expect(byQuery.unused).toMatch(/never uses \$1/);
    expect(byQuery.badGen).toMatch(/unknown generator "pik" \(did you mean "pick"\?\)/);
    expect(byQuery.closure).toMatch(/is a function: generators are data/);
    expect(byQuery.syntax).toMatch(/SQL syntax error at line 1, column \d+/);
    expect(byQuery.badPick).toMatch(/must name a column as "table.column"/);
    expect(byQuery.typo).toMatch(/unknown field `prams`/);
    expect(byQuery.tooFeww).toMatch(/which the base does not define \(did you mean "tooFew"\?\)/);
    expect(byQuery.base).toMatch(/"base" is the name of the queries as written/);
    expect(problems.find((p) => p.query === 'syntax')!.sqlLine).toBe(1);
  });

  it('should refuse a version that changes a weight or params that do not extend the base ones', async () => {
    const msgs = await messages({
      queries: { q: { sql: 'select $1::int', params: [int(1, 2)] } },
      versions: { v2: { q: { sql: 'select $1::int', params: [int(5, 6)], weight: 3 } } },
    });
    expect(msgs.join('\n')).toMatch(/cannot change a weight/);
    expect(msgs.join('\n')).toMatch(/must begin with the params of the other versions/);
  });

  it('should let a version append params and carry the longest list in every request', async () => {
    const base = [int(1, 2)];
    const { workload, problems } = await resolveWorkload({
      queries: { q: { sql: 'select $1::int', params: base } },
      versions: { v2: { q: { sql: 'select $1::int, $2::text', params: [...base, seq({ prefix: 'x' })] } } },
    });
    expect(problems).toEqual([]);
    expect(workload!.routes.q!.params).toHaveLength(2);
    expect(workload!.routes.q!.versions.base![0]!.params).toEqual([0]);
    expect(workload!.routes.q!.versions.v2![0]!.params).toEqual([0, 1]);
  });

  it('should refuse an empty workload and all-zero weights', async () => {
    expect(await messages({ queries: {} })).toEqual([expect.stringMatching(/at least one query/)]);
    expect(await messages({ queries: { a: { sql: 'select 1', weight: 0 } } })).toEqual([expect.stringMatching(/weight 0/)]);
  });
});
