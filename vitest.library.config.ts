import { defineConfig } from 'vitest/config';
import { LIBRARY_TESTS, SHARED } from './vitest.config.ts';

// `npm run test:library`: the scenario library rehearsed end to end, and Ctrl-C at random moments.
export default defineConfig({ test: { ...SHARED, include: LIBRARY_TESTS } });
