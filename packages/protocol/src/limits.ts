/** MLflow 2.x limits that clients rely on (tracking-api.md §6). */
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  searchRunsMaxResults: 50000,
  searchRunsDefaultMaxResults: 1000,
  searchExperimentsMaxResults: 50000,
  searchExperimentsDefaultMaxResults: 1000,
  bulkIntervalMaxRunIds: 100,
  bulkIntervalMaxResults: 2500,
  bulkHistoryMaxResults: 25000,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSourceLength: 65535,
  datasetSchemaLength: 1048575,
  datasetProfileLength: 16777215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
  searchDatasetsMaxExperiments: 20,
  registryTagKeyLength: 250,
  registryTagValueLength: 5000,
  modelAliasLength: 255,
  searchRegisteredModelsDefaultMaxResults: 100,
  searchRegisteredModelsMaxResults: 1000,
  searchModelVersionsDefaultMaxResults: 200000,
  searchModelVersionsMaxResults: 200000,
  /** mlflow-ts: runs per move or permanent-delete request. */
  runMaintenanceMaxRunIds: 1000,
} as const;

/** MLflow stores ±Infinity metric values as ±max double. */
export const MAX_DOUBLE = 1.7976931348623157e308;
