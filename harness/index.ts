// The public API for scenario authors: `import { defineScenario } from 'rehearse'`.
export { defineScenario } from './scenario.ts';
export type { BackfillStep, DeployStep, PauseStep, ScenarioDefinition, SqlStep, Step, Variant, VerifyStep } from './scenario.ts';
export type { DataAccess, Db, Order, User } from '../sample-app/data-access.ts';
export type { Budgets, RunReport, VariantResult } from './model/schema.ts';
