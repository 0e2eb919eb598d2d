// Warm start: a seeded database is kept across runs, keyed on everything that determines its
// bytes (the caller's key: schema, dataset spec, seed, row counts, generator version) and the
// server's identity (binaries package version, or image id). What is fastest per provider:
// - embedded: the cluster's data dir becomes the entry, and later runs start Postgres on it in
//   place under a lease (no copy: a 10M-user cluster is ready in about a second). The run's own
//   databases are dropped and the WAL trimmed when it stops, so the entry stays a fresh seed.
// - docker: the stopped container is committed to an image; later runs start from that image.
// The seeded database is set read-only by default once cached, so a run cannot change the entry.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { quoteIdent, quoteLiteral, withClient } from './client.ts';
import { RehearseError } from '../errors.ts';
import { acquireLease, leaseHolder } from './cache-lease.ts';
import { dropOtherDatabases, resetStatementStats } from './cluster-entry.ts';
import { dockerClient } from './docker-client.ts';
import { providerOf, type PostgresSpec } from './providers.ts';
import type { EntryLease, PostgresHandle, PostgresStartOptions, SavedCluster } from './provider.ts';
import { treeSize } from './copy-tree.ts';

/** Everything that determines the seeded bytes, as plain JSON (object key order does not matter). */
export type SeedCacheKey = Record<string, unknown>;

export interface CacheEntry {
  id: string;
  provider: string;
  identity: string;
  key: SeedCacheKey;
  database: string;
  saved: SavedCluster;
  createdAt: string;
  lastUsedAt: string;
  /** What the caller stored beside the data (e.g. row counts and seed time), returned on a hit. */
  info: unknown;
}

export interface CacheHit {
  handle: PostgresHandle;
  database: string;
  entry: CacheEntry;
}

export interface SeedCacheOptions {
  /** Default $REHEARSE_CACHE_DIR, else /var/cache/rehearse as root (the postgres user must reach it), else ~/.cache/rehearse. */
  dir?: string;
  /** Default $REHEARSE_CACHE_MAX_BYTES, else 20 GiB; least recently used entries go first. */
  maxBytes?: number;
  log?: (line: string) => void;
}

const META = 'meta.json';
const DEFAULT_MAX_BYTES = 20 * 1024 ** 3;

export function defaultCacheDir(): string {
  if (process.env.REHEARSE_CACHE_DIR) return process.env.REHEARSE_CACHE_DIR;
  if (process.getuid?.() === 0) return '/var/cache/rehearse';
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'rehearse');
}

/** JSON with object keys sorted, so equal keys hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const entryId = (key: SeedCacheKey, identity: string): string =>
  createHash('sha256').update(canonical({ key, identity })).digest('hex').slice(0, 24);


const sql = (url: string, text: string): Promise<pg.QueryResult> => withClient(url, 'rehearse-cache', (c) => c.query(text));

export class SeedCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly log: (line: string) => void;

  constructor(opts: SeedCacheOptions = {}) {
    this.dir = opts.dir ?? defaultCacheDir();
    this.maxBytes = opts.maxBytes ?? (Number(process.env.REHEARSE_CACHE_MAX_BYTES) || DEFAULT_MAX_BYTES);
    this.log = opts.log ?? (() => {});
  }

  private entryDir(id: string): string {
    return path.join(this.dir, id);
  }

  private async readEntry(id: string): Promise<CacheEntry | null> {
    const text = await fs.readFile(path.join(this.entryDir(id), META), 'utf8').catch(() => null);
    return text ? (JSON.parse(text) as CacheEntry) : null;
  }

  private async writeEntry(entry: CacheEntry): Promise<void> {
    const file = path.join(this.entryDir(entry.id), META);
    await fs.writeFile(`${file}.tmp`, JSON.stringify(entry, null, 2));
    await fs.rename(`${file}.tmp`, file);
  }

  /** A started server with the seeded database of `key` on it, or null (a miss, or the entry is in use). */
  async restore(key: SeedCacheKey, spec: PostgresSpec, opts: PostgresStartOptions = {}): Promise<CacheHit | null> {
    const snapshots = providerOf(spec).snapshots;
    const identity = snapshots && (await snapshots.identity(spec));
    if (!snapshots || !identity) return null;
    const id = entryId(key, identity);
    const entry = await this.readEntry(id);
    if (!entry) return null;
    const lease = await acquireLease(this.entryDir(id));
    if (!lease) {
      this.log(`warm-start cache: entry ${id} is in use by another run; seeding afresh`);
      return null;
    }
    if (lease.recovered) this.log(`warm-start cache: entry ${id} was left by a run that died; recovering it`);
    let handle: PostgresHandle;
    try {
      handle = await snapshots.restore(spec, entry.saved, this.entryLease(id, [entry.database], lease.release), opts);
    } catch (err) {
      await lease.release();
      this.log(`warm-start cache: entry ${id} did not start (${(err as Error).message.split('\n')[0]}); removing it and seeding afresh`);
      await this.remove(entry);
      return null;
    }
    try {
      const present = (await sql(handle.url(), `SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(entry.database)}`)).rowCount;
      if (!present) {
        // Someone dropped the cached database while running on the entry: it is no longer a seed.
        this.log(`warm-start cache: entry ${id} lost its database ${entry.database}; removing it and seeding afresh`);
        await handle.stop();
        await this.remove(entry);
        return null;
      }
      // A run that died may have left databases; the previous run's statement counters are not this run's.
      await dropOtherDatabases(handle.url(), [entry.database]);
      await resetStatementStats(handle.url());
    } catch (err) {
      await handle.stop();
      throw new RehearseError('REH_CACHE_FAILED', `could not prepare cache entry ${id}: ${(err as Error).message}`, { cause: err });
    }
    entry.lastUsedAt = new Date().toISOString();
    await this.writeEntry(entry);
    return { handle, database: entry.database, entry };
  }

  /**
   * Keeps `database` of this running server for later runs under `key`, then evicts least
   * recently used entries beyond the size cap. The server goes on running (embedded: from the
   * entry, which it holds until it stops). The database is read-only by default from now on.
   * Returns null when this provider cannot be cached or the data exceeds the cap.
   */
  async store(key: SeedCacheKey, handle: PostgresHandle, database: string, info: unknown = null): Promise<CacheEntry | null> {
    if (!handle.snapshot) return null;
    const id = entryId(key, handle.snapshot.identity);
    const existing = await this.readEntry(id);
    if (existing) return existing; // a concurrent run stored the same seed first
    const dir = this.entryDir(id);
    try {
      const estimate = Number((await sql(handle.url(), 'SELECT sum(pg_database_size(oid))::bigint AS n FROM pg_database')).rows[0].n);
      if (estimate > this.maxBytes) {
        this.log(`warm-start cache: ${(estimate / 1024 ** 3).toFixed(1)} GiB is over the cache cap of ${(this.maxBytes / 1024 ** 3).toFixed(1)} GiB; not cached`);
        return null;
      }
      await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
      await fs.chmod(this.dir, 0o755); // the postgres OS user must reach an embedded entry
      if (await leaseHolder(dir)) return null; // another run is storing the same seed right now
      await fs.rm(dir, { recursive: true, force: true }); // a store that died half-way
      await fs.mkdir(dir, { mode: 0o755 });
      const lease = await acquireLease(dir);
      if (!lease) return null;
      await sql(handle.url(), `ALTER DATABASE ${quoteIdent(database)} SET default_transaction_read_only = on`);
      const saved = await handle.snapshot.save(dir, this.entryLease(id, [database], lease.release));
      const now = new Date().toISOString();
      const entry: CacheEntry = { id, provider: handle.provider, identity: handle.snapshot.identity, key, database, saved, createdAt: now, lastUsedAt: now, info };
      await this.writeEntry(entry);
      await this.evict(id);
      return entry;
    } catch (err) {
      throw new RehearseError('REH_CACHE_FAILED', `could not cache database ${database}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The hold a server gets on entry `id`; on release the entry's recorded size is brought up to date. */
  private entryLease(id: string, keep: string[], release: () => Promise<void>): EntryLease {
    return {
      keep,
      release: async () => {
        const entry = await this.readEntry(id);
        if (entry?.saved.kind === 'data-dir') {
          entry.saved.sizeBytes = await treeSize(entry.saved.ref).catch(() => entry.saved.sizeBytes);
          await this.writeEntry(entry);
        }
        await release();
      },
    };
  }

  /** Every complete entry, most recently used first, with the pid of a run using it. */
  async list(): Promise<(CacheEntry & { inUseBy: number | null })[]> {
    const ids = await fs.readdir(this.dir).catch(() => [] as string[]);
    const out: (CacheEntry & { inUseBy: number | null })[] = [];
    for (const id of ids) {
      const entry = await this.readEntry(id);
      if (entry) out.push({ ...entry, inUseBy: await leaseHolder(this.entryDir(id)) });
    }
    return out.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
  }

  /** Removes every entry not in use; returns what went and what stayed. */
  async clear(): Promise<{ removed: CacheEntry[]; inUse: (CacheEntry & { inUseBy: number | null })[] }> {
    const removed: CacheEntry[] = [];
    const inUse: (CacheEntry & { inUseBy: number | null })[] = [];
    for (const entry of await this.list()) {
      if (entry.inUseBy) inUse.push(entry);
      else if (await this.remove(entry)) removed.push(entry);
    }
    return { removed, inUse };
  }

  private async evict(justStored: string): Promise<void> {
    const entries = await this.list();
    let total = entries.reduce((n, e) => n + e.saved.sizeBytes, 0);
    for (const e of [...entries].reverse()) {
      if (total <= this.maxBytes) break;
      if (e.id === justStored || e.inUseBy) continue;
      if (await this.remove(e)) {
        total -= e.saved.sizeBytes;
        this.log(`warm-start cache: evicted ${e.id} (${(e.saved.sizeBytes / 1024 ** 3).toFixed(2)} GiB, last used ${e.lastUsedAt})`);
      }
    }
  }

  private async remove(entry: CacheEntry): Promise<boolean> {
    if (entry.saved.kind === 'docker-image') {
      const client = await dockerClient().catch(() => null);
      if (!client) return false; // cannot tell whether the image is gone: keep the record
      const gone = await client.container.dockerode.getImage(entry.saved.ref).remove().then(
        () => true,
        (err: { statusCode?: number }) => err.statusCode === 404,
      );
      if (!gone) return false;
    }
    await fs.rm(this.entryDir(entry.id), { recursive: true, force: true });
    return true;
  }
}
