export { createRequestListener } from "./app.js";
export {
  ConfigError,
  DEFAULT_BACKEND_STORE_URI,
  MLFLOW_COMPAT_VERSION,
  resolveServerConfig,
  s3OptionsFromEnv,
  type ServerConfig,
  type ServerFlags,
} from "./config.js";
export { ROUTES } from "./routes.js";
export { type RunningServer, StartupError, startServer } from "./server.js";
export { ArtifactService } from "./handlers/artifact-service.js";
export { type ArtifactsLeft, type PurgeResult, purgeRuns } from "./maintenance/purge-runs.js";
