// The target of --calibrate: a harness-owned scratch table, a one-route app that reads it, and
// the request mix. Small on purpose: it exists to be blocked by a known lock, nothing else.
import { fileURLToPath } from 'node:url';
import type { AppSpec } from '../app/types.ts';
import type { DatasetSource } from '../dataset/types.ts';
import { pgClient } from '../postgres/client.ts';

export const CALIBRATION_TABLE = 'rehearse_calibration';
export const CALIBRATION_ROUTE = 'calibration-read';
const ROWS = 1000;
const SERVER_ENTRY = fileURLToPath(new URL('./calibration-server.ts', import.meta.url));

export const calibrationDataset: DatasetSource = {
  description: `calibration scratch table (${ROWS} rows)`,
  cacheKey: { calibration: 1 },
  async seed(url) {
    const t0 = Date.now();
    const c = pgClient(url, 'rehearse-calibration-seed');
    await c.connect();
    try {
      await c.query(`CREATE TABLE ${CALIBRATION_TABLE} (id int PRIMARY KEY, v int NOT NULL)`);
      await c.query(`INSERT INTO ${CALIBRATION_TABLE} SELECT i, i FROM generate_series(1, ${ROWS}) i`);
      await c.query(`ANALYZE ${CALIBRATION_TABLE}`);
    } finally {
      await c.end();
    }
    const seconds = (Date.now() - t0) / 1000;
    return { tables: { [CALIBRATION_TABLE]: ROWS }, seconds, rowsPerSec: ROWS / Math.max(seconds, 0.001), phases: {}, notes: [] };
  },
};

export const calibrationApp: AppSpec = {
  name: 'calibration',
  initialVersion: 'v1',
  versions: { v1: {} },
  defaultDataset: async () => calibrationDataset,
  async create() {
    const mix = { [CALIBRATION_ROUTE]: 1 };
    return {
      mix,
      instanceCommand: () => ({ entry: SERVER_ENTRY, args: [] }),
      requestFactory: async () => (rng) => ({ route: CALIBRATION_ROUTE, method: 'GET', path: `/calibration/${1 + Math.floor(rng() * ROWS)}` }),
    };
  },
};
