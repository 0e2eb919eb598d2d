import { defineConfig } from 'vitest/config';
import { LONG_TESTS, SHARED } from './vitest.config.ts';

// `npm run test:long`: what vitest.config.ts lists as the long suite.
export default defineConfig({ test: { ...SHARED, include: LONG_TESTS } });
