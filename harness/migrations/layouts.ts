// The directory layouts of the common migration tools, told apart by file names alone (dbmate
// also by its `-- migrate:up` marker, since its names look like plain files). Each layout
// says which files are migrations and in which order the tool applies them.

export type SqlLayout = 'file' | 'prisma' | 'diesel' | 'golang-migrate' | 'dbmate' | 'flyway' | 'plain';

/** One migration as found on disk, before reading: `rel` is relative to the directory. */
export interface Candidate {
  rel: string;
  /** Step name: the Prisma/diesel folder or the file name without its .sql/.up.sql ending. */
  name: string;
  /** Sort key: a version (compared numerically part by part) or the name. */
  version: bigint[] | null;
  /** Flyway repeatables run after all versioned migrations. */
  repeatable?: boolean;
}

/** Natural order: "2_x" before "10_x"; code-unit order breaks ties, so the order never depends on the locale. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

const compareVersions = (a: bigint[], b: bigint[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

export const compareCandidates = (a: Candidate, b: Candidate): number => {
  if (!!a.repeatable !== !!b.repeatable) return a.repeatable ? 1 : -1;
  if (a.version && b.version) return compareVersions(a.version, b.version) || naturalCompare(a.name, b.name);
  return naturalCompare(a.name, b.name);
};

export const GOLANG = /^(\d+)_(.+)\.(up|down)\.sql$/i;
export const FLYWAY = /^([VUR])(\d+(?:[._]\d+)*)?__(.+)\.sql$/;
export const NUMBERED = /^(\d+)_.+\.sql$/i;
/** dbmate's section markers; anything after `migrate:up` (e.g. transaction:false) is an option. */
export const DBMATE_UP = /^--\s*migrate:up\b/m;

const digits = (s: string): bigint[] => s.split(/[._]/).map((p) => BigInt(p));
const stripSql = (file: string): string => file.replace(/(\.up)?\.sql$/i, '');

/** Classifies one root-level .sql file name under a layout; null when it does not fit. */
export function fileCandidate(layout: 'golang-migrate' | 'flyway' | 'dbmate' | 'plain', file: string): Candidate | 'ignore' | null {
  if (layout === 'golang-migrate') {
    const m = GOLANG.exec(file);
    if (!m) return null;
    return m[3]!.toLowerCase() === 'down' ? 'ignore' : { rel: file, name: stripSql(file), version: [BigInt(m[1]!)] };
  }
  if (layout === 'flyway') {
    const m = FLYWAY.exec(file);
    if (!m) return null;
    if (m[1] === 'U') return 'ignore'; // undo migrations never run forwards
    if (m[1] === 'R') return m[2] === undefined ? { rel: file, name: stripSql(file), version: null, repeatable: true } : null;
    return m[2] === undefined ? null : { rel: file, name: stripSql(file), version: digits(m[2]) };
  }
  if (layout === 'dbmate') {
    const m = NUMBERED.exec(file);
    return m ? { rel: file, name: stripSql(file), version: [BigInt(m[1]!)] } : null;
  }
  return { rel: file, name: stripSql(file), version: null };
}

/** Versions that occur more than once, as "version: a, b". */
export function duplicateVersions(cands: readonly Candidate[]): string[] {
  const byVersion = new Map<string, string[]>();
  for (const c of cands) {
    if (!c.version) continue;
    const key = c.version.join('.');
    byVersion.set(key, [...(byVersion.get(key) ?? []), c.rel]);
  }
  return [...byVersion].filter(([, rels]) => rels.length > 1).map(([v, rels]) => `${v}: ${rels.join(', ')}`);
}
