// The bad-input matrix: every way a user can hand rehearse something wrong, each answered before
// anything is provisioned with a coded error, the place (flag, file:line, path) and a hint, and
// every problem of one input reported together. Runs the real command in-process (runCli); two
// cases also run the real binary, end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { CLI_BIN } from '../testing/cli-process.ts';
import { runCli } from './run-cli.ts';

const HOLD_LOCK = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-bad-input-'));
let seq = 0;
/** A scenario file (a fresh name each time: modules are cached by path). */
const scenarioFile = (body: string, ext = 'ts'): string => {
  const f = path.join(dir, `scenario-${++seq}.${ext}`);
  writeFileSync(f, body);
  return f;
};
const outDir = () => mkdtempSync(path.join(tmpdir(), 'rehearse-bad-input-out-'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Exit 2, the code, its hint, nothing provisioned, no stack trace. */
function expectRejected(r: Outcome, code: ErrorCode, hint: string = ERROR_CODES[code]) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`error ${code}:`);
  expect(r.stderr).toContain(`hint: ${hint}`);
  expect(r.stdout).not.toContain('provisioning');
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const SCENARIO_HEAD = `export default {
  name: 'bad',
  description: 'x',
  app: { name: 'x', initialVersion: 'old', versions: { old: {}, new: {} }, create() {} },
  variants: {
    v: {
      description: 'x',
      steps: [
`;
const SCENARIO_TAIL = `      ],
    },
  },
};
`;
/** A scenario whose steps start on line 9. */
const withSteps = (...steps: string[]) => scenarioFile(`${SCENARIO_HEAD}${steps.map((s) => `        ${s},\n`).join('')}${SCENARIO_TAIL}`);

describe('bad CLI flags', () => {
  it('rejects an unknown flag and suggests the closest one', async () => {
    const r = await cli('--rowz', '10');
    expectRejected(r, 'REH_CLI_UNKNOWN_FLAG');
    expect(r.stderr).toContain('--rowz (did you mean --rows?)');
  });

  it('rejects a negative --rows in its own words, not parseArgs\'', async () => {
    const r = await cli('--rows', '-5');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--rows must be an integer between 1 and 2000000000, got "-5"');
    expect(r.stderr).not.toMatch(/ambiguous|Did you forget/);
  });

  it('rejects --rows 0', async () => {
    const r = await cli('--rows', '0');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--rows must be an integer between 1 and 2000000000, got "0"');
  });

  it('rejects a hexadecimal --rate (0x10 is not a decimal integer)', async () => {
    const r = await cli('--rate', '0x10');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--rate must be an integer between 1 and 1000000, got "0x10"');
  });

  it('rejects a fractional --rows', async () => {
    expectRejected(await cli('--rows', '1.5'), 'REH_CLI_BAD_VALUE');
  });

  it('rejects a flag missing its value at the end of the line', async () => {
    const r = await cli('--rows');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--rows is missing its value, e.g. --rows <n | t=n,…>');
  });

  it('rejects a flag whose value looks like another flag', async () => {
    const r = await cli('--out', '--rows', '5');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--out is missing its value: the next argument "--rows" is a flag');
  });

  it('rejects two scenario names when the second is not a scenario, before running the first', async () => {
    const r = await cli('change-column-type', 'naive', '--out', outDir());
    expectRejected(r, 'REH_CLI_UNKNOWN_SCENARIO');
    expect(r.stderr).toContain('unknown scenario "naive"');
  });

  it('rejects every bad --postgres flag together, each naming its flag, before provisioning', async () => {
    const r = await cli(HOLD_LOCK, '--pg', '13,16', '--pg-memory', '4g', '--pg-setting', 'work_mem', '--out', outDir());
    expectRejected(r, 'REH_PG_SPEC_INVALID');
    expect(r.stderr).toContain('--pg "13" is not a Postgres major rehearse can run; use one or more of 14, 15, 16, 17, 18');
    expect(r.stderr).toContain('--pg-memory does not apply to --postgres embedded; it goes with --postgres docker');
    expect(r.stderr).toContain('--pg-setting "work_mem" is not name=value, e.g. work_mem=64MB');
  });

  it('refuses a --pg-url database not named disposable, without printing its password', async () => {
    const r = await cli(HOLD_LOCK, '--postgres', 'url', '--pg-url', 'postgres://app:s3cret-pw@127.0.0.1:1/staging', '--out', outDir());
    expectRejected(r, 'REH_PG_URL_NOT_DISPOSABLE');
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret-pw');
  });

  it('rejects scenario names given together with --all', async () => {
    const r = await cli('change-column-type', '--all');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--all rehearses every scenario; do not name scenarios too (got change-column-type)');
  });

  it('rejects a value given to a switch', async () => {
    const r = await cli('--fail-on-breach=yes');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--fail-on-breach is a switch and takes no value');
  });

  it('rejects an unknown load model', async () => {
    expectRejected(await cli('--load', 'sideways'), 'REH_CLI_BAD_VALUE');
  });

  it('rejects an error budget outside 0..1', async () => {
    const r = await cli('--max-error-rate', '1.5');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--max-error-rate must be a number between 0 and 1, got "1.5"');
  });

  it('rejects a negative --seed', async () => {
    const r = await cli('--seed', '-1');
    expectRejected(r, 'REH_CLI_BAD_VALUE');
    expect(r.stderr).toContain('--seed must be an integer between 0 and 4294967295, got "-1"');
  });

  it('rejects --rows per table with a non-number', async () => {
    expectRejected(await cli('--rows', 'users=lots'), 'REH_CLI_BAD_VALUE');
  });

  it('rejects a table the dataset does not have, before provisioning', async () => {
    const r = await cli(HOLD_LOCK, '--rows', 'orders=5', '--out', outDir());
    expectRejected(r, 'REH_CLI_BAD_VALUE', 'Use `--rows 1000000` or `--rows users=1000000`.');
    expect(r.stderr).toContain('--rows names "orders"');
  });

  it('rejects a port out of range', async () => {
    expectRejected(await cli('--pg-port', '70000'), 'REH_CLI_BAD_VALUE');
  });

  it('reports every flag problem of one command line together', async () => {
    const r = await cli('--rowz', '1', '--rows', '0', '--rate', 'x', '--load', 'y');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error REH_CLI_UNKNOWN_FLAG: unknown flag --rowz');
    expect(r.stderr).toContain('error REH_CLI_BAD_VALUE:');
    for (const flag of ['--rows', '--rate', '--load']) expect(r.stderr).toContain(`${flag} must be`);
  });

  it('rejects an unknown scenario', async () => {
    const r = await cli('no-such-scenario');
    expectRejected(r, 'REH_CLI_UNKNOWN_SCENARIO');
    expect(r.stderr).toContain('known: ');
  });

  it('rejects an unknown variant', async () => {
    const r = await cli(HOLD_LOCK, '--variant', 'yolo');
    expectRejected(r, 'REH_CLI_UNKNOWN_VARIANT');
    expect(r.stderr).toContain('(known: hold, fails)');
  });
});

describe('bad scenario files', () => {
  it('reports a syntax error in the scenario file with its file:line:col', async () => {
    const f = scenarioFile(`export default {\n  name: 'x',\n  variants: { v: { steps: [ { kind: 'pause', name: 'a' seconds: 1 } ] } },\n};\n`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`(${f}:3:`);
    expect(r.stderr).not.toContain('\x1b['); // no terminal colour codes from the parser
  });

  it('reports an error thrown while the scenario file loads, where it was thrown', async () => {
    const f = scenarioFile(`const x = 1;\nthrow new Error('no DATABASE_URL in this environment');\nexport default {};\n`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`(${f}:2:`);
    expect(r.stderr).toContain('no DATABASE_URL in this environment');
  });

  it('rejects a file without a default export', async () => {
    const f = scenarioFile('export const scenario = {};\n');
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`no default export of defineScenario({...}) (${f})`);
  });

  it('rejects an unknown step kind at its line', async () => {
    const f = withSteps(`{ kind: 'pause', name: 'a', seconds: 1 }`, `{ kind: 'teleport', name: 'beam' }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:10: variant "v" step 2 (beam): unknown kind "teleport" (sql, deploy, backfill, verify, pause, fault, background)`);
  });

  it('rejects a duplicate step name at the line of the duplicate', async () => {
    const f = withSteps(`{ kind: 'pause', name: 'wait', seconds: 1 }`, `{ kind: 'pause', name: 'other', seconds: 1 }`, `{ kind: 'pause', name: 'wait', seconds: 2 }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:11: variant "v" step 3 (wait): duplicate step name "wait"`);
  });

  it('rejects a deploy of an app version the scenario does not define', async () => {
    const f = withSteps(`{ kind: 'deploy', name: 'ship', version: 'v9' }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (ship): version "v9" is not one of app.versions (old, new)`);
  });

  it('rejects fields of the wrong type, each at its own line, all at once', async () => {
    const f = withSteps(
      `{ kind: 'pause', name: 'p', seconds: 'five' }`,
      `{ kind: 'backfill', name: 'b', table: 'users', set: 'x = 1', batchSize: -1 }`,
      `{ kind: 'sql', name: 's', sql: 42 }`,
      `{ kind: 'fault', name: 'f', fault: 'statement-timeout', table: 'users', timeoutMs: 500, holdMs: 100 }`,
    );
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain('invalid scenario (4 problems)');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (p): seconds must be a number ≥ 0`);
    expect(r.stderr).toContain(`${f}:10: variant "v" step 2 (b): batchSize must be a positive integer`);
    expect(r.stderr).toContain(`${f}:11: variant "v" step 3 (s): sql (or file) must be a statement, a non-empty list of statements, or a .sql file`);
    expect(r.stderr).toContain(`${f}:12: variant "v" step 4 (f): holdMs must be longer than timeoutMs`);
  });

  it('rejects an unknown fault and a fault with bad fields', async () => {
    const f = withSteps(`{ kind: 'fault', name: 'f1', fault: 'meteor' }`, `{ kind: 'fault', name: 'f2', fault: 'terminate-backend', target: 'everyone', afterMs: -1 }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (f1): unknown fault "meteor" (kill-instance, terminate-backend, statement-timeout, hold-lock, connection-storm)`);
    expect(r.stderr).toContain(`${f}:10: variant "v" step 2 (f2): target must be "migration" or "app"`);
    expect(r.stderr).toContain(`${f}:10: variant "v" step 2 (f2): afterMs must be a number ≥ 0`);
  });

  it('rejects an initial app version that is not one of the versions', async () => {
    const f = scenarioFile(SCENARIO_HEAD.replace("initialVersion: 'old'", "initialVersion: 'legacy'") + `        { kind: 'pause', name: 'a', seconds: 1 },\n` + SCENARIO_TAIL);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:4: app.initialVersion "legacy" is not one of app.versions (old, new)`);
  });

  it('rejects a scenario without variants', async () => {
    const f = scenarioFile(`export default {\n  name: 'x',\n  description: 'x',\n  app: { name: 'x', initialVersion: 'old', versions: { old: {} }, create() {} },\n  variants: {},\n};\n`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:5: \`variants\` must define at least one variant`);
  });
});

describe('bad SQL in a scenario', () => {
  it('reports a syntax error with the step line and the line inside the statement', async () => {
    const f = withSteps(`{ kind: 'sql', name: 'typo', sql: 'ALTER TABLE users\\n  ADD COLUM x int' }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (typo): SQL syntax error on line 2 of the statement: syntax error at or near "int"`);
  });

  it('reports a verify query that does not parse', async () => {
    const f = withSteps(`{ kind: 'verify', name: 'check', sql: 'SELEC count(*) FROM users' }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (check): SQL syntax error`);
  });

  it('rejects CREATE INDEX CONCURRENTLY forced into a transaction', async () => {
    const f = withSteps(`{ kind: 'sql', name: 'idx', sql: 'CREATE INDEX CONCURRENTLY i ON users (email)', transaction: true }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain('cannot run inside a transaction block; remove transaction: true');
  });

  it('rejects a backfill table that is not an identifier (SQL smuggled into a name)', async () => {
    const f = withSteps(`{ kind: 'backfill', name: 'bf', table: 'users; DROP TABLE users', set: 'x = 1' }`);
    const r = await cli(f);
    expectRejected(r, 'REH_SCENARIO_INVALID');
    expect(r.stderr).toContain(`${f}:9: variant "v" step 1 (bf): table must be an identifier`);
  });
});

describe('bad config files', () => {
  const configFile = (body: string): string => {
    const f = path.join(dir, `rehearse.config-${++seq}.mts`);
    writeFileSync(f, body);
    return f;
  };

  it('rejects a --config that does not exist', async () => {
    const r = await cli('--config', path.join(dir, 'no-such.config.ts'));
    expectRejected(r, 'REH_INPUT_NOT_FOUND');
    expect(r.stderr).toContain(`(${path.join(dir, 'no-such.config.ts')})`);
  });

  it('rejects unknown keys and wrong types, every problem at once, at the first one\'s line', async () => {
    const f = configFile(`export default {\n  scenario: 'change-column-type',\n  rowz: 5,\n  load: { rate: 'fast' },\n  budgets: { maxErrorRate: 2 },\n};\n`);
    const r = await cli('--config', f);
    expectRejected(r, 'REH_CONFIG_INVALID');
    for (const problem of ['Unrecognized key: "rowz"', 'load.rate: Invalid input: expected number, received string', 'maxErrorRate: errorRate is a fraction of requests']) expect(r.stderr).toContain(problem);
    expect(r.stderr).toMatch(new RegExp(`\\(${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+\\)`));
  });

  it('rejects a config file that does not parse', async () => {
    const f = configFile(`export default { out: 'x' seed: 1 };\n`);
    expectRejected(await cli('--config', f), 'REH_CONFIG_INVALID');
  });
});

describe('a bad out dir, port or disk, found before provisioning', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it('rejects --out inside a regular file (ENOTDIR) before anything runs', async () => {
    const file = path.join(outDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = await cli(HOLD_LOCK, '--rows', '3000', '--out', path.join(file, 'reports'));
    expectRejected(r, 'REH_OUT_NOT_WRITABLE');
    expect(r.stderr).toContain(`${file} is a file, not a directory`);
    expect(r.stderr).toContain(`(${path.join(file, 'reports')})`);
  });

  it('rejects --out that is itself a regular file', async () => {
    const file = path.join(outDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = await cli(HOLD_LOCK, '--out', file);
    expectRejected(r, 'REH_OUT_NOT_WRITABLE');
    expect(r.stderr).toContain(`${file} is a file, not a directory`);
  });

  it('rejects --out under /proc at once instead of hanging', async () => {
    const r = await cli(HOLD_LOCK, '--out', '/proc/x');
    expectRejected(r, 'REH_OUT_NOT_WRITABLE');
    expect(r.stderr).toContain('/proc/x cannot be created');
  });

  it('rejects a --pg-port that is already in use', async () => {
    const r = await cli(HOLD_LOCK, '--rows', '3000', '--pg-port', String(busyPort), '--out', outDir());
    expectRejected(r, 'REH_PORT_UNAVAILABLE');
    expect(r.stderr).toContain(`--pg-port ${busyPort} is already in use on 127.0.0.1 (--pg-port ${busyPort})`);
  });

  it('rejects more rows than the temp dir has room for, with the numbers', async () => {
    const r = await cli(HOLD_LOCK, '--rows', '2,000,000,000', '--out', outDir());
    expectRejected(r, 'REH_DISK_SPACE');
    expect(r.stderr).toMatch(/the run needs about [\d.]+ GB free in \S+, which has [\d.]+ GB: 2,000,000,000 users × ≈550 bytes/);
  });

  it('reports every preflight problem at once: out dir, disk and port', async () => {
    const r = await cli(HOLD_LOCK, '--rows', '2,000,000,000', '--out', '/proc/x', '--pg-port', String(busyPort));
    expect(r.code).toBe(2);
    for (const code of ['REH_OUT_NOT_WRITABLE', 'REH_DISK_SPACE', 'REH_PORT_UNAVAILABLE']) expect(r.stderr).toContain(`error ${code}:`);
  });
});

describe('a missing Docker', () => {
  it('answers the docker provider with REH_PG_DOCKER_UNAVAILABLE and a hint, not a hang or a stack trace', () => {
    // Its own process: the container runtime is discovered once per process and cached.
    const providers = fileURLToPath(new URL('../postgres/providers.ts', import.meta.url));
    const script = `const { startPostgres } = await import(${JSON.stringify(pathToFileURL(providers).href)});
try { const h = await startPostgres({ provider: 'docker' }); await h.stop(); console.log('{"started":true}'); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })); }`;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
    });
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out).toMatchObject({ code: 'REH_PG_DOCKER_UNAVAILABLE', hint: ERROR_CODES.REH_PG_DOCKER_UNAVAILABLE });
    expect(out.message).toContain('no Docker daemon answers');
  });
});

describe('the real binary', () => {
  const bin = (...args: string[]) => spawnSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('exits 2 for --rows -5 with one coded paragraph and no stack trace', () => {
    const r = bin('--rows', '-5');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['error REH_CLI_BAD_VALUE: --rows must be an integer between 1 and 2000000000, got "-5"', `  hint: ${ERROR_CODES.REH_CLI_BAD_VALUE}`]);
  });

  it('reports a syntax error in a scenario file with the parser\'s words and the file:line:col', () => {
    const f = scenarioFile(`export default {\n  name: 'x',\n  variants: { v: { steps: [ { kind: 'pause', name: 'a' seconds: 1 } ] } },\n};\n`, 'mts');
    const r = bin(f);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error REH_SCENARIO_INVALID: could not load the scenario: Expected "}" but found "seconds" (${f}:3:`);
  });

  it('says a .ts scenario outside an ES module package must be an ES module', () => {
    const f = scenarioFile(`export default { name: 'x' };\n`);
    const r = bin(f);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error REH_SCENARIO_INVALID: could not load the scenario: it is not loaded as an ES module (${f})`);
    expect(r.stderr).toContain('hint: Name the scenario file .mts, or add "type": "module" to the package.json next to it.');
  });

  it('exits 2 at once for --out inside a file, without provisioning anything', () => {
    const file = path.join(outDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = bin(HOLD_LOCK, '--rows', '3000', '--rate', '50', '--out', path.join(file, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error REH_OUT_NOT_WRITABLE');
    expect(r.stdout).not.toContain('postgres');
  });
});
