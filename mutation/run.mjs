#!/usr/bin/env node
// `npm run test:mutation`: StrykerJS over the pure modules (see stryker.config.json and
// docs/testing.md). Runs Stryker with the TypeScript 6 hook in every process it starts.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const hook = pathToFileURL(fileURLToPath(new URL('./register-typescript6.mjs', import.meta.url))).href;
const stryker = path.join(path.dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim() };
const child = spawn(process.execPath, [stryker, 'run', ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
