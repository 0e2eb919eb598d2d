// The public API for scenario authors: `import { defineScenario } from 'rehearse'`, and for
// workload authors: `import { defineWorkload, pick, workloadApp } from 'rehearse'`, for a
// scenario over your own schema: `schemaDataset({ schema: 'schema.sql' })`, and for
// rehearse.config.ts: `defineConfig`.
// The sample app has its own entry: `import { sampleApp } from 'rehearse/sample-app'`.
export { defineScenario } from './scenario.ts';
export { defineWorkload } from './workload/define.ts';
export type { QueryDef, VersionDef, WorkloadDefinition } from './workload/define.ts';
export { array, bool, constant, date, faker, float, int, json, now, nullable, oneOf, pick, pickRow, seq, text, timestamp, uuid } from './workload/generators.ts';
export type { Generator, Literal, Param, RowHandle } from './workload/generators.ts';
export { workloadApp } from './workload/workload-app.ts';
export { schemaDataset } from './dataset/schema/index.ts';
export type { ColumnOverride, SchemaDatasetOptions } from './dataset/schema/index.ts';
export { defineConfig } from './plan/config.ts';
export type { RehearseConfig } from './plan/config.ts';
export type { WorkloadAppOptions } from './workload/workload-app.ts';
export type { BackfillStep, BackgroundSessionKind, BackgroundSessionSpec, BackgroundStep, DeployStep, FaultStep, LockMode, PauseStep, Rollback, ScenarioDefinition, SqlStep, Step, Variant, VerifyStep } from './scenario.ts';
export type { AppContext, AppRoute, AppSettings, AppSpec, AppUnderTest } from './app/types.ts';
export type { DatasetSource, RowsSpec, SeededDataset, SeedOptions } from './dataset/types.ts';
export type { Budgets, RunReport, VariantResult } from './model/schema.ts';
export type { BudgetDeclarations, BudgetValue } from './model/budgets.ts';
export type { BudgetCheck, BudgetScope } from './model/schema.ts';
