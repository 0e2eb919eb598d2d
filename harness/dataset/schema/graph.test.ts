import { describe, expect, it } from 'vitest';
import { orderTables, type FkEdge } from './graph.ts';

const edge = (child: string, parent: string, breakable = false): FkEdge => ({ child, parent, label: `${child} → ${parent}`, breakable });

describe('orderTables', () => {
  it('should put parents before children, ties by name, ignoring self-references', () => {
    const out = orderTables(['c', 'b', 'a', 'tree'], [edge('c', 'b'), edge('b', 'a'), edge('c', 'a'), edge('tree', 'tree')]);
    expect(out.order).toEqual(['a', 'tree', 'b', 'c']);
    expect(out.broken).toEqual([]);
  });

  it('should break a cycle through its nullable edge and keep the rest in order', () => {
    const out = orderTables(['orgs', 'users', 'projects'], [edge('orgs', 'users', true), edge('users', 'orgs'), edge('projects', 'orgs')]);
    expect(out.broken.map((e) => e.label)).toEqual(['orgs → users']);
    expect(out.order).toEqual(['orgs', 'projects', 'users']);
  });

  it('should report every cycle that has no breakable edge', () => {
    const out = orderTables(['a', 'b', 'c', 'd'], [edge('a', 'b'), edge('b', 'a'), edge('c', 'd'), edge('d', 'c')]);
    expect(out.unbreakable).toEqual([['a → b', 'b → a'], ['c → d', 'd → c']]);
  });
});
