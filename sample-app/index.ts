// The sample app for scenario authors: `import { sampleApp } from 'rehearse/sample-app'`.
export { sampleApp, type SampleAppOptions, type SampleVersion } from './app.ts';
export type { DataAccess, Db, Order, User } from './data-access.ts';
export { DEFAULT_MIX } from './request-mix.ts';
