export { ALEMBIC_HEAD } from "./schema/mlflow-2-22.js";
export { ensureSchema, schemaState } from "./schema/bootstrap.js";
export type { Database, SqlDialect, SqlExecutor, SqlValue } from "./sql/database.js";
export { openDatabase } from "./sql/open-database.js";
export { SqlTrackingStore, type SqlStoreOptions } from "./sql-tracking-store.js";
export type { TrackingStore } from "./tracking-store.js";
export type { KeyValueIn } from "./tracking/logging.js";
export { type BulkIntervalRequest, sampleSteps } from "./tracking/metric-history.js";
export type { SearchRunsResult } from "./tracking/queries.js";
