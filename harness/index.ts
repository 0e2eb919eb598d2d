// The public API for scenario authors: `import { defineScenario } from 'rehearse'`.
// The sample app has its own entry: `import { sampleApp } from 'rehearse/sample-app'`.
export { defineScenario } from './scenario.ts';
export type { BackfillStep, DeployStep, PauseStep, ScenarioDefinition, SqlStep, Step, Variant, VerifyStep } from './scenario.ts';
export type { AppContext, AppSettings, AppSpec, AppUnderTest } from './app/types.ts';
export type { DatasetSource, RowsSpec, SeededDataset, SeedOptions } from './dataset/types.ts';
export type { Budgets, RunReport, VariantResult } from './model/schema.ts';
export type { BudgetDeclarations, BudgetValue } from './model/budgets.ts';
export type { BudgetCheck, BudgetScope } from './model/schema.ts';
