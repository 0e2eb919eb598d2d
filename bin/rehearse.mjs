#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx rehearse` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
