// Which of a statement's locks can block anyone. A lock on a relation the migration created in
// the same transaction (the index CREATE INDEX is building, a table created a statement earlier)
// is invisible to other sessions until commit, so it blocks nobody and is not an exclusive hold.
import type { LockHeld, StatementTrace } from './schema.ts';

export const blockingLocks = (st: StatementTrace): LockHeld[] => {
  const created = new Set(st.createdRelations ?? []);
  return (st.locks ?? []).filter((l) => !(l.relation && created.has(l.relation)));
};

/** True when the statement held ACCESS EXCLUSIVE on a relation other sessions can see. */
export const holdsAccessExclusive = (st: StatementTrace): boolean => blockingLocks(st).some((l) => l.mode === 'AccessExclusiveLock');
