// The literature's claims (../shared/reading/ and common advice), each checked against what the
// scenario library measured. docs/findings.md is rendered from these and the reports of a
// `rehearse --all` run (harness/report/render-findings.ts); nothing here is a measured number.
import { strongestLocks, type Claim, type ClaimCheck } from '../../harness/report/render-findings.ts';
import type { StatementTrace, StepResult, VariantResult } from '../../harness/model/schema.ts';

const WRITES = ['update-balance', 'create-order', 'create-user'];
const READS = ['read-by-id', 'lookup-by-email', 'list-orders'];
/** Below this, a hold is too short for a stall to be told apart from the gaps between responses. */
const VISIBLE_MS = 300;

const ms = (n: number | null | undefined): string => (n === null || n === undefined ? 'not measured' : `${Math.round(n).toLocaleString('en-US')} ms`);
const rows = (n: number): string => n.toLocaleString('en-US');
const step = (v: VariantResult, name: string): StepResult | undefined => v.steps.find((s) => s.name === name);
const stmt = (v: VariantResult, name: string, i = 0): StatementTrace | undefined => step(v, name)?.statements[i];
const locksOf = (st: StatementTrace | undefined): string => strongestLocks(st ? [st] : []).map(([r, m]) => `${m} on ${r}`).join(', ') || 'no lock stronger than ROW EXCLUSIVE seen';
const holds = (st: StatementTrace | undefined, mode: string, rel: string): boolean => (st?.locks ?? []).some((l) => l.mode === mode && l.relation === rel);
/** How long its locks were held: from its start (after any lock wait) to its transaction's end. */
const heldMs = (st: StatementTrace | undefined): number | null => (st ? (st.heldUntilMs ?? st.endMs) - st.startMs - st.lockWaitMs : null);
/** Longest stall of any of `routes` attributed to the step. */
const stallOf = (v: VariantResult, stepName: string, routes: string[]): number =>
  Math.max(0, ...v.stalls.filter((s) => s.step === stepName && routes.includes(s.route)).map((s) => s.durationMs));
const scanned = (st: StatementTrace | undefined, table: string): number | null => (st?.scannedRows === undefined ? null : st.scannedRows[table] ?? 0);
const missing = (...what: string[]): ClaimCheck => ({ verdict: 'not measured', measurement: `Not in this run: ${what.join(', ')}.` });
const failed = (v: VariantResult): string => (v.summary.completed ? '' : ` (the variant did not complete: ${v.summary.failedStep ?? 'interrupted'})`);

export const CLAIMS: Claim[] = [
  {
    claim: 'ALTER TABLE users ADD COLUMN preferences JSONB rewrites the entire table',
    source: 'reading/article-2',
    measuredBy: ['add-column/nullable'],
    check(find) {
      const v = find('add-column', 'nullable');
      const st = v && stmt(v, 'add-column');
      if (!v || !st) return missing('add-column/nullable');
      return {
        verdict: st.rewrote ? 'confirmed' : 'refuted',
        measurement: `${st.sql}: ${st.rewrote ? `rewrote ${st.rewrittenRelations.join(', ')}` : 'no relation got a new file (catalog only)'}; it took ${locksOf(st)} for ${ms(heldMs(st))}; longest stall in the step ${ms(step(v, 'add-column')?.longestStallMs)}.`,
      };
    },
  },
  {
    claim: 'Adding a NOT NULL column with default values rewrites every row of the table',
    source: 'reading/article-1',
    measuredBy: ['add-column/constant-default'],
    check(find) {
      const v = find('add-column', 'constant-default');
      const st = v && stmt(v, 'add-column');
      if (!v || !st) return missing('add-column/constant-default');
      return {
        verdict: st.rewrote ? 'confirmed' : 'refuted',
        measurement: `${st.sql}: ${st.rewrote ? `rewrote ${st.rewrittenRelations.join(', ')}` : 'no rewrite: since PostgreSQL 11 a constant default is stored once in the catalog'}; ${locksOf(st)} held ${ms(heldMs(st))}.`,
      };
    },
  },
  {
    claim: 'Starting with PostgreSQL 11, adding a column with a volatile default only updates the table metadata',
    source: 'reading/article-4',
    measuredBy: ['add-column/volatile-default', 'add-column/safe-volatile'],
    check(find) {
      const v = find('add-column', 'volatile-default');
      const st = v && stmt(v, 'add-column');
      if (!v || !st) return missing('add-column/volatile-default');
      const safe = find('add-column', 'safe-volatile');
      const safeRewrote = safe ? safe.steps.some((s) => s.statements.some((x) => x.rewrote)) : null;
      return {
        verdict: st.rewrote ? 'refuted' : 'confirmed',
        measurement: `${st.sql}: ${st.rewrote ? `rewrote ${st.rewrittenRelations.join(', ')}` : 'no rewrite'} holding ${locksOf(st)} for ${ms(heldMs(st))}; longest stall ${ms(v.summary.longestStallMs)}.${safe ? ` The safe way (nullable column, SET DEFAULT, batched backfill) ${safeRewrote ? 'rewrote a relation' : 'rewrote nothing'}, longest stall ${ms(safe.summary.longestStallMs)}, ${safe.summary.errorRate === 0 ? 'no errors' : `error rate ${(safe.summary.errorRate * 100).toFixed(2)} %`}.` : ''}`,
      };
    },
  },
  {
    claim: 'Adding a nullable column is metadata-only — milliseconds, no lock',
    source: 'reading/article-1',
    measuredBy: ['add-column/nullable', 'lock-queue/naive'],
    check(find) {
      const v = find('add-column', 'nullable');
      const st = v && stmt(v, 'add-column');
      if (!v || !st) return missing('add-column/nullable');
      const q = find('lock-queue', 'naive');
      const qst = q && stmt(q, 'add-column');
      const exclusive = holds(st, 'AccessExclusiveLock', 'users');
      return {
        verdict: !st.rewrote && !exclusive ? 'confirmed' : 'partly',
        measurement: `Metadata-only: ${st.rewrote ? 'no, it rewrote' : 'yes, no rewrite'}, held ${ms(heldMs(st))}. No lock: ${exclusive ? 'no, it takes ACCESS EXCLUSIVE on users' : 'no strong lock seen'}.${qst ? ` Behind a ${ms(q!.events.find((e) => e.kind === 'background-session')?.endMs! - q!.events.find((e) => e.kind === 'background-session')?.atMs!)} report query the same kind of statement waited ${ms(qst.lockWaitMs)} in the lock queue and the app's longest stall was ${ms(q!.summary.longestStallMs)}${failed(q!)}.` : ''}`,
      };
    },
  },
  {
    claim: 'A "fast" ADD COLUMN queued behind a long query blocks every query on the table; lock_timeout with retries avoids it',
    source: 'common advice; shared/DESIGN.md lock facts',
    measuredBy: ['lock-queue/naive', 'lock-queue/safe'],
    check(find) {
      const naive = find('lock-queue', 'naive');
      const safe = find('lock-queue', 'safe');
      if (!naive || !safe) return missing('lock-queue/naive', 'lock-queue/safe');
      const nst = stmt(naive, 'add-column');
      const sst = stmt(safe, 'add-column');
      const root = naive.lockWaits.find((w) => w.application !== 'rehearse-migration' && w.rootBlockers?.length)?.rootBlockers?.[0];
      const attempts = sst?.attempts.length ?? 0;
      return {
        verdict: naive.summary.longestStallMs > 2 * safe.summary.longestStallMs && naive.summary.longestStallMs >= VISIBLE_MS ? 'confirmed' : 'refuted',
        measurement: `Without lock_timeout the ALTER waited ${ms(nst?.lockWaitMs)} and the app's longest stall was ${ms(naive.summary.longestStallMs)} (${naive.summary.maxLockWaiters} backends waiting at once${root ? `; root blocker ${root.application}, ${root.state}, query "${root.query}"` : ''}). With lock_timeout 200 ms: ${attempts} attempts, ${ms(sst?.lockWaitMs)} in the queue in total, longest stall ${ms(safe.summary.longestStallMs)}, max latency ${ms(safe.summary.maxLatencyMs)}.`,
      };
    },
  },
  {
    claim: 'CREATE INDEX blocks writes but not reads',
    source: 'reading/article-3, reading/article-4',
    measuredBy: ['create-index/plain', 'create-index/concurrently'],
    check(find) {
      const v = find('create-index', 'plain');
      const st = v && stmt(v, 'create-index');
      if (!v || !st) return missing('create-index/plain');
      const held = heldMs(st) ?? 0;
      const w = stallOf(v, 'create-index', WRITES);
      const r = stallOf(v, 'create-index', READS);
      const c = find('create-index', 'concurrently');
      const cst = c && stmt(c, 'create-index');
      const tail = cst ? ` CONCURRENTLY took ${locksOf(cst)} for ${ms(cst.durationMs)}; writes' longest stall ${ms(stallOf(c!, 'create-index', WRITES))}, reads' ${ms(stallOf(c!, 'create-index', READS))}.` : '';
      const share = holds(st, 'ShareLock', 'users');
      if (held < VISIBLE_MS) return { verdict: share ? 'partly' : 'refuted', measurement: `It took ${locksOf(st)} (SHARE conflicts with writes, not reads), but the build held it only ${ms(held)}, too short to see in the traffic at this size.${tail}` };
      return {
        verdict: share && w >= held * 0.5 && r < held * 0.5 ? 'confirmed' : share ? 'partly' : 'refuted',
        measurement: `${locksOf(st)} for ${ms(held)}: the writes' longest stall in the step was ${ms(w)}, the reads' ${ms(r)}.${tail}`,
      };
    },
  },
  {
    claim: 'VALIDATE CONSTRAINT scans the rows online, without blocking writes',
    source: 'reading/article-1, reading/article-4',
    measuredBy: ['add-not-null/safe', 'add-foreign-key/not-valid', 'add-foreign-key/plain'],
    check(find) {
      const nn = find('add-not-null', 'safe');
      const fk = find('add-foreign-key', 'not-valid');
      const plain = find('add-foreign-key', 'plain');
      if (!nn && !fk) return missing('add-not-null/safe', 'add-foreign-key/not-valid');
      const parts: string[] = [];
      let blocked = false;
      for (const [v, table] of [[nn, 'users'], [fk, 'orders']] as const) {
        const st = v && stmt(v, 'validate');
        if (!v || !st) continue;
        const w = stallOf(v, 'validate', WRITES);
        blocked ||= holds(st, 'AccessExclusiveLock', table) || holds(st, 'ShareLock', table) || (st.durationMs >= VISIBLE_MS && w >= st.durationMs * 0.5);
        parts.push(`${st.sql}: ${locksOf(st)}, scanned ${scanned(st, table) === null ? 'rows not measured' : `${rows(scanned(st, table)!)} rows of ${table}`} in ${ms(st.durationMs)}; writes' longest stall ${ms(w)}${failed(v)}.`);
      }
      const pst = plain && stmt(plain, 'add-fk');
      if (pst) parts.push(`For comparison, the plain ADD FOREIGN KEY held ${locksOf(pst)} for ${ms(heldMs(pst))}; writes' longest stall ${ms(stallOf(plain!, 'add-fk', WRITES))}.`);
      return { verdict: blocked ? 'refuted' : 'confirmed', measurement: parts.join(' ') };
    },
  },
  {
    claim: 'SET NOT NULL scans the whole table under an exclusive lock',
    source: 'reading/article-1',
    measuredBy: ['add-not-null/plain'],
    check(find) {
      const v = find('add-not-null', 'plain');
      const st = v && stmt(v, 'set-not-null');
      if (!v || !st) return missing('add-not-null/plain');
      const n = scanned(st, 'users');
      const total = v.dataset.tables.users ?? 0;
      return {
        verdict: holds(st, 'AccessExclusiveLock', 'users') && n !== null && n >= total ? 'confirmed' : 'refuted',
        measurement: `${st.sql}: ${locksOf(st)} held ${ms(heldMs(st))}, scanned ${n === null ? 'an unmeasured number of' : rows(n)} rows of users (${rows(total)} seeded, plus the app's inserts); longest stall in the step ${ms(step(v, 'set-not-null')?.longestStallMs)}.`,
      };
    },
  },
  {
    claim: 'Once a CHECK (col IS NOT NULL) is validated, SET NOT NULL is a metadata-only operation',
    source: 'reading/article-1',
    measuredBy: ['add-not-null/safe'],
    check(find) {
      const v = find('add-not-null', 'safe');
      const st = v && stmt(v, 'set-not-null');
      if (!v || !st) return missing('add-not-null/safe');
      const n = scanned(st, 'users');
      return {
        verdict: n === 0 ? 'confirmed' : n === null ? 'not measured' : 'refuted',
        measurement: `${st.sql}: scanned ${n === null ? 'an unmeasured number of' : rows(n)} rows, ${locksOf(st)} held ${ms(heldMs(st))} (together with dropping the check).`,
      };
    },
  },
  {
    claim: 'The app must stop writing NULLs before NOT NULL can be added',
    source: 'scenario add-not-null',
    measuredBy: ['add-not-null/old-code-writes-nulls'],
    check(find) {
      const v = find('add-not-null', 'old-code-writes-nulls');
      const s = v && step(v, 'set-not-null');
      if (!v || !s) return missing('add-not-null/old-code-writes-nulls');
      const expected = s.details?.expectedError as { sqlstate?: string } | undefined;
      return {
        verdict: expected?.sqlstate === '23502' ? 'confirmed' : 'refuted',
        measurement: expected ? `After the backfill, the old code kept inserting users without updated_at; SET NOT NULL then failed with SQLSTATE ${expected.sqlstate} (not_null_violation).` : `SET NOT NULL ${s.status === 'ok' ? 'succeeded' : `failed: ${s.error?.message}`}.`,
      };
    },
  },
  {
    claim: 'ALTER COLUMN TYPE rewrites the table and locks it for minutes; varchar(n) → text does not',
    source: 'reading/article-2; PostgreSQL docs',
    measuredBy: ['change-column-type/naive', 'change-column-type/varchar-to-text'],
    check(find) {
      const naive = find('change-column-type', 'naive');
      const vt = find('change-column-type', 'varchar-to-text');
      const a = naive && stmt(naive, 'alter-type');
      const b = vt && stmt(vt, 'alter-type');
      if (!a && !b) return missing('change-column-type/naive', 'change-column-type/varchar-to-text');
      const parts = [];
      if (a) parts.push(`int → bigint: ${a.rewrote ? `rewrote ${a.rewrittenRelations.join(', ')}` : 'no rewrite'} holding ${locksOf(a)} for ${ms(heldMs(a))}, longest stall ${ms(naive!.summary.longestStallMs)}.`);
      if (b) parts.push(`varchar(255) → text: ${b.rewrote ? `rewrote ${b.rewrittenRelations.join(', ')}` : 'no rewrite of the table or its unique index'}, ${locksOf(b)} held ${ms(heldMs(b))}.`);
      return { verdict: a?.rewrote && b && !b.rewrote ? 'confirmed' : a && b ? 'refuted' : 'partly', measurement: parts.join(' ') };
    },
  },
  {
    claim: 'In-place RENAME breaks the old code still running during a deploy',
    source: 'reading/article-1, reading/article-4, reading/article-5',
    measuredBy: ['rename-column/naive', 'rename-column/expand-contract'],
    check(find) {
      const v = find('rename-column', 'naive');
      if (!v) return missing('rename-column/naive');
      const n = v.summary.errorsBySqlstate['42703'] ?? 0;
      const per = v.steps.filter((s) => s.errorsBySqlstate?.['42703']).map((s) => `${s.name} ${s.errorsBySqlstate!['42703']}`).join(', ');
      const safe = find('rename-column', 'expand-contract');
      return {
        verdict: n > 0 ? 'confirmed' : 'refuted',
        measurement: `${n} requests failed with SQLSTATE 42703 (undefined_column)${per ? ` by step: ${per}` : ''}; the RENAME itself held ACCESS EXCLUSIVE ${ms(heldMs(stmt(v, 'rename')))}.${safe ? ` Expand/contract: ${Object.values(safe.summary.errorsBySqlstate).reduce((a, b) => a + b, 0)} database errors, longest stall ${ms(safe.summary.longestStallMs)}${failed(safe)}.` : ''}`,
      };
    },
  },
  {
    claim: 'The atomic rename swap of a shadow table locks for less than a second',
    source: 'reading/article-2',
    measuredBy: ['partition-table/shadow-swap'],
    check(find) {
      const v = find('partition-table', 'shadow-swap');
      const s = v && step(v, 'swap');
      if (!v || !s?.statements.length) return missing('partition-table/shadow-swap');
      const first = s.statements[0]!;
      const held = (first.heldUntilMs ?? first.endMs) - (first.startMs + first.lockWaitMs);
      return {
        verdict: s.status === 'ok' && held < 1000 ? 'confirmed' : 'refuted',
        measurement: `The swap transaction held ACCESS EXCLUSIVE on orders and the shadow for ${ms(held)} after ${first.attempts.length} attempt(s) (lock wait ${ms(first.lockWaitMs)} in total); the copy before it took ${ms(step(v, 'copy')?.durationMs)}; longest stall of the run ${ms(v.summary.longestStallMs)}, error rate ${(v.summary.errorRate * 100).toFixed(2)} %${failed(v)}.`,
      };
    },
  },
  {
    claim: 'A unique constraint built inline locks the table; a concurrent unique index attached with USING INDEX does not',
    source: 'reading/article-5; PostgreSQL docs',
    measuredBy: ['add-unique/inline', 'add-unique/concurrent-index'],
    check(find) {
      const a = find('add-unique', 'inline');
      const b = find('add-unique', 'concurrent-index');
      const x = a && stmt(a, 'add-unique');
      const y = b && stmt(b, 'attach');
      const z = b && stmt(b, 'build-index');
      if (!x || !y) return missing('add-unique/inline', 'add-unique/concurrent-index');
      return {
        verdict: holds(x, 'AccessExclusiveLock', 'users') && (heldMs(y) ?? 0) < (heldMs(x) ?? 0) ? 'confirmed' : 'refuted',
        measurement: `Inline: ${locksOf(x)} for ${ms(heldMs(x))}, longest stall ${ms(a!.summary.longestStallMs)}. Concurrent: the build took ${ms(z?.durationMs)} under ${locksOf(z)}, the attach held ${locksOf(y)} for ${ms(heldMs(y))}; longest stall ${ms(b!.summary.longestStallMs)}.`,
      };
    },
  },
  {
    claim: 'A batched backfill with a pause between batches keeps the app responsive, at the cost of a longer run',
    source: 'reading/article-1, reading/article-5',
    measuredBy: ['backfill-tuning/*'],
    check(find) {
      const names = ['batch-1k-delay-20ms', 'batch-10k-delay-20ms', 'batch-50k-no-delay'];
      const got = names.map((n) => ({ n, v: find('backfill-tuning', n) })).filter((x) => x.v);
      if (got.length < 2) return missing('backfill-tuning');
      const facts = got.map(({ n, v }) => ({ n, s: step(v!, 'backfill')! }));
      const line = facts.map(({ n, s }) => `${n}: ${ms(s.durationMs)}, p99 ${ms(s.traffic?.p99Ms)}, max ${ms(s.traffic?.maxMs)}, own WAL ${s.details?.walBytes === undefined ? 'not measured' : `${(Number(s.details.walBytes) / 1048576).toFixed(1)} MiB`} (${s.details?.walFullPageImages ?? '?'} full-page images)`).join('; ');
      const small = facts[0]!.s;
      const big = facts.at(-1)!.s;
      const calmer = (small.traffic?.p99Ms ?? Infinity) <= (big.traffic?.p99Ms ?? 0);
      const longer = small.durationMs >= big.durationMs;
      return { verdict: calmer && longer ? 'confirmed' : calmer || longer ? 'partly' : 'refuted', measurement: `${line}.` };
    },
  },
];
