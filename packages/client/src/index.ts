/**
 * `@mlflow-ts/client`: MLflow's tracking and model registry SDK for TypeScript. This entry runs
 * anywhere `fetch` does (browsers, Node, workers); in Node the package resolves to
 * `@mlflow-ts/client/node`, which adds environment variables, local files, system metrics and
 * the flush on exit.
 */
export type { ArtifactRepository, UploadSource } from "./artifacts/repository.js";
export { HttpArtifactRepository } from "./artifacts/http-repository.js";
export type { MultipartOptions } from "./artifacts/multipart.js";
export { encodePng, type Pixels } from "./artifacts/png.js";
export type { TableData, TableInput } from "./artifacts/table.js";
export { toYaml } from "./artifacts/yaml.js";
export { type ImageInput, MlflowClient, type MlflowClientOptions } from "./client/mlflow-client.js";
export { RegistryClient } from "./client/registry-client.js";
export {
  BATCH_LIMITS,
  type DatasetInputSpec,
  type MetricPoint,
  type SearchOptions,
  TrackingClient,
} from "./client/tracking-client.js";
export { configFromEnv, type Env, type EnvConfig } from "./config.js";
export { type ErrorCode, errorCodeForStatus, httpStatusFor, isMlflowError, MlflowError } from "./errors.js";
export * from "./fluent/default.js";
export { LogQueue, type LogQueueOptions, type QueuedItem } from "./fluent/log-queue.js";
export {
  type LogOptions,
  type MetricOptions,
  Mlflow,
  type MlflowOptions,
  type StartRunOptions,
} from "./fluent/mlflow.js";
export type { SystemMetricsOptions, SystemMetricsSampler } from "./fluent/system-metrics.js";
export type { Credentials, Query, RequestOptions, RetryOptions, TransportOptions } from "./http/transport.js";
export { Transport } from "./http/transport.js";
export {
  browserPlatform,
  getPlatform,
  type LocalFiles,
  type Platform,
  setPlatform,
  type ShutdownTarget,
} from "./platform.js";
export type * from "./types.js";
