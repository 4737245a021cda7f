import type { RetryOptions } from "./http/transport.js";
import type { MultipartOptions } from "./artifacts/multipart.js";

/** Environment variables, as `process.env` has them (or a bundler's `import.meta.env`). */
export type Env = Record<string, string | undefined>;

/** What MLflow's environment variables say, parsed once; explicit options override it. */
export interface EnvConfig {
  trackingUri?: string;
  username?: string;
  password?: string;
  token?: string;
  retry: RetryOptions;
  timeoutMs?: number;
  multipart: MultipartOptions;
  experimentName?: string;
  experimentId?: string;
  runId?: string;
  /** MLFLOW_ENABLE_ASYNC_LOGGING=false asks for synchronous logging. */
  asyncLogging?: boolean;
  /** MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING */
  systemMetrics?: boolean;
  systemMetricsSamplingIntervalMs?: number;
  systemMetricsSamplesBeforeLogging?: number;
  systemMetricsNodeId?: string;
}

function num(env: Env, name: string, scale = 1): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new TypeError(`${name} must be a non-negative number (got '${v}').`);
  return n * scale;
}

function bool(env: Env, name: string): boolean | undefined {
  const v = env[name]?.toLowerCase();
  if (v === undefined || v === "") return undefined;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new TypeError(`${name} must be true or false (got '${env[name]}').`);
}

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Reads MLflow's client environment variables (names and units as MLflow documents them). */
export function configFromEnv(env: Env): EnvConfig {
  return defined({
    trackingUri: str(env, "MLFLOW_TRACKING_URI"),
    username: str(env, "MLFLOW_TRACKING_USERNAME"),
    password: str(env, "MLFLOW_TRACKING_PASSWORD"),
    token: str(env, "MLFLOW_TRACKING_TOKEN"),
    retry: defined({
      maxRetries: num(env, "MLFLOW_HTTP_REQUEST_MAX_RETRIES"),
      backoffFactorMs: num(env, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 1000),
      backoffJitterMs: num(env, "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 1000),
    }),
    timeoutMs: num(env, "MLFLOW_HTTP_REQUEST_TIMEOUT", 1000),
    multipart: defined({
      thresholdBytes: num(env, "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE"),
      partBytes: num(env, "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE"),
    }),
    experimentName: str(env, "MLFLOW_EXPERIMENT_NAME"),
    experimentId: str(env, "MLFLOW_EXPERIMENT_ID"),
    runId: str(env, "MLFLOW_RUN_ID"),
    asyncLogging: bool(env, "MLFLOW_ENABLE_ASYNC_LOGGING"),
    systemMetrics: bool(env, "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING"),
    systemMetricsSamplingIntervalMs: num(env, "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", 1000),
    systemMetricsSamplesBeforeLogging: num(env, "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING"),
    systemMetricsNodeId: str(env, "MLFLOW_SYSTEM_METRICS_NODE_ID"),
  });
}
