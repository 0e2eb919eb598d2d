// `rehearse cache ls | clear`: what the warm-start cache holds (key, size, age, a run using it) and
// removing every entry no run is using. The cache itself is postgres/seed-cache.ts.
import { SeedCache, defaultCacheDir, type CacheEntry } from '../postgres/seed-cache.ts';
import { fmtBytes } from '../report/format-units.ts';
import type { CliOptions } from './args.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

const describeKey = (e: CacheEntry): string =>
  Object.entries(e.key).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ').slice(0, 160);

export async function cacheCommand(opts: CliOptions, log: (line: string) => void): Promise<ExitCode> {
  const cache = new SeedCache({ log });
  const dir = defaultCacheDir();
  if (opts.files[0] === 'clear') {
    const { removed, inUse } = await cache.clear();
    const freed = removed.reduce((n, e) => n + e.saved.sizeBytes, 0);
    log(`warm-start cache ${dir}: removed ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'} (${fmtBytes(freed)})`);
    for (const e of inUse) log(`  kept ${e.id}: in use by a run (pid ${e.inUseBy})`);
    return EXIT.ok;
  }
  const entries = await cache.list();
  const total = entries.reduce((n, e) => n + e.saved.sizeBytes, 0);
  log(`warm-start cache ${dir}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${fmtBytes(total)}`);
  for (const e of entries) {
    log(`  ${e.id}  ${e.provider} ${e.identity}  ${fmtBytes(e.saved.sizeBytes)}  last used ${e.lastUsedAt}${e.inUseBy ? `  in use by pid ${e.inUseBy}` : ''}`);
    log(`    ${describeKey(e)}`);
  }
  return EXIT.ok;
}
