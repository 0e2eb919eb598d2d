// Run-level background sessions: `--background 'idle-in-transaction:users:30s@5s'` or the config's
// `background: [{ session, table, hold, startAfter }]`, so any scenario or your own migration can
// be rehearsed "with a 30 s report query running" (see runner/background-sessions.ts).
import { backgroundProblems } from '../runner/background-sessions.ts';
import type { RunBackground } from '../runner/run-variant.ts';
import type { BackgroundSessionKind } from '../scenario.ts';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;
const seconds = (text: string): number | null => {
  const m = DURATION.exec(text.trim());
  return m ? (Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm']) / 1000 : null;
};

/** `kind:table:hold[@start]`, e.g. `long-query:users:30s`, `idle-in-transaction:public.orders:10s@2s`. */
export function parseBackgroundFlag(text: string): RunBackground | { problem: string } {
  const bad = (why: string) => ({ problem: `--background "${text}": ${why}; write kind:table:hold[@start], e.g. idle-in-transaction:users:30s or long-query:users:10s@2s` });
  const [body, start, ...more] = text.split('@');
  if (more.length) return bad('more than one @');
  const parts = body!.split(':');
  if (parts.length !== 3) return bad(`expected 3 parts separated by ":", got ${parts.length}`);
  const [session, table, hold] = parts.map((p) => p.trim()) as [string, string, string];
  const holdS = seconds(hold);
  if (holdS === null) return bad(`"${hold}" is not a duration like 500ms, 30s or 1m`);
  const startS = start === undefined ? 0 : seconds(start);
  if (startS === null) return bad(`"${start}" is not a duration like 2s`);
  const spec = { name: `${session}-${table}`, session: session as BackgroundSessionKind, table, seconds: holdS, startAfterSeconds: startS };
  const problems = backgroundProblems(spec);
  return problems.length ? bad(problems.join(', ')) : spec;
}

/** Names unique within the run (two sessions of one kind on one table get -2, -3…). */
export function uniqueNames(specs: RunBackground[]): RunBackground[] {
  const seen = new Map<string, number>();
  return specs.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s : { ...s, name: `${s.name}-${n}` };
  });
}
