// Test helper: starts embedded Postgres, prints where, and waits to be killed without cleanup.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';

const handle = await startEmbeddedPostgres();
const dir = path.dirname(handle.logFile!);
const postmaster = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
process.stdout.write(`${JSON.stringify({ dir, postmaster })}\n`);
setInterval(() => {}, 1000);
