export * from "./entities.js";
export * from "./error-codes.js";
export * from "./limits.js";
export * from "./mlflow-error.js";
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
