export * from "./entities.js";
export * from "./error-codes.js";
export * from "./limits.js";
export * from "./mlflow-error.js";
export * from "./model-uri.js";
export * from "./registry-entities.js";
export * as registryRequests from "./registry-requests.js";
export type {
  CreateModelVersionRequest,
  CreateRegisteredModelRequest,
  CreateWebhookRequest,
  ListRegistryAuditRequest,
  ListWebhookDeliveriesRequest,
  SearchModelVersionsRequest,
  SearchRegisteredModelsRequest,
  UpdateWebhookRequest,
} from "./registry-requests.js";
export * as requests from "./tracking-requests.js";
export type {
  CreateExperimentRequest,
  CreateRunRequest,
  DatasetInputRequest,
  LogBatchRequest,
  LogInputsRequest,
  MetricInput,
  SearchExperimentsRequest,
  SearchRunsRequest,
  UpdateRunRequest,
} from "./tracking-requests.js";
export { formatPath, parseRequest, toMlflowError } from "./validate.js";
export * from "./wire-types.js";
