// The schema-inferred dataset: `schemaDataset({ schema: readSqlSources(path).files, columns })`.
export { schemaDataset, SCHEMA_GENERATOR_VERSION, type SchemaDatasetOptions } from './schema-dataset.ts';
export type { ColumnOverride } from './overrides.ts';
export { DEFAULT_FANOUT, DEFAULT_ROOT_ROWS, SMALL_DEFAULT_ROWS } from './plan.ts';
