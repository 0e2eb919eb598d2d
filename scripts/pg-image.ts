// npm run pg:image [-- <major> …]: builds rehearse/postgres:<major> (default 18) from the
// embedded binaries; skips a major whose image already has the same content.
import { RehearseError } from '../harness/errors.ts';
import { installSignalCleanup, runAllCleanups } from '../harness/cleanup.ts';
import { DEFAULT_MAJOR, SUPPORTED_MAJORS, type PgMajor } from '../harness/postgres/embedded-binaries.ts';
import { buildLocalImage } from '../harness/postgres/image/build-image.ts';

installSignalCleanup();
const args = process.argv.slice(2);
const majors = args.length ? args.map(Number) : [DEFAULT_MAJOR];
const bad = majors.filter((m) => !SUPPORTED_MAJORS.includes(m as PgMajor));
if (bad.length) {
  process.stderr.write(`pg:image: unknown major(s) ${bad.join(', ')}; supported: ${SUPPORTED_MAJORS.join(', ')}\n`);
  process.exit(2);
}
try {
  for (const major of majors as PgMajor[]) {
    const r = await buildLocalImage(major, (line) => process.stdout.write(`  ${line}\n`));
    process.stdout.write(`${r.image}: ${r.built ? 'built' : 'up to date, not rebuilt'} in ${r.seconds.toFixed(1)} s (content ${r.contentHash.slice(0, 12)})\n`);
  }
} catch (err) {
  process.stderr.write(`${err instanceof RehearseError ? err.format() : (err as Error).stack}\n`);
  process.exitCode = 1;
} finally {
  await runAllCleanups();
}
