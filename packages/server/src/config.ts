import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliveryConfig } from "./webhooks/delivery-worker.js";

/** Everything the server needs, resolved once at start from flags and MLflow's environment variables. */
export interface ServerConfig {
  host: string;
  port: number;
  backendStoreUri: string;
  /** Root for new experiments' artifact locations. */
  defaultArtifactRoot: string;
  /** Where proxied (`mlflow-artifacts:`) artifacts are stored: a local directory. */
  artifactsDestination: string;
  serveArtifacts: boolean;
  artifactsOnly: boolean;
  /** "" or a prefix like `/mlflow` applied to the UI, utility routes, `/ajax-api` and `/api`. */
  staticPrefix: string;
  /** Largest JSON request body accepted, in bytes. */
  maxJsonBodyBytes: number;
  version: string;
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: model version sources must match it. */
  modelVersionSourceRegex: RegExp | undefined;
  /** Webhook delivery timings (MLFLOW_TS_WEBHOOK_* environment variables). */
  webhookDelivery: WebhookDeliveryConfig;
  /**
   * --cors-allowed-origins / MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: origins (exact, globs with `*`,
   * or `*` for all) allowed besides the localhost origins MLflow always allows.
   */
  corsAllowedOrigins: string[];
}

export interface ServerFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  backendStoreUri?: string | undefined;
  defaultArtifactRoot?: string | undefined;
  artifactsDestination?: string | undefined;
  serveArtifacts?: boolean | undefined;
  artifactsOnly?: boolean | undefined;
  staticPrefix?: string | undefined;
  /** Comma-separated list, as on the command line. */
  corsAllowedOrigins?: string | undefined;
  /** Programmatic only (tests): overrides of the webhook delivery timings. */
  webhookDelivery?: Partial<WebhookDeliveryConfig> | undefined;
}

export const DEFAULT_BACKEND_STORE_URI = "sqlite:///mlflow.db";
export const MLFLOW_COMPAT_VERSION = "2.22.0";

/** A usage mistake in flags or environment: reported as one line, exit code 2. */
export class ConfigError extends Error {}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  const l = v.toLowerCase();
  if (l === "true" || l === "1") return true;
  if (l === "false" || l === "0") return false;
  throw new ConfigError(`${name} must be one of true, false, 1, 0 (got '${v}').`);
}

export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = {}): ServerConfig {
  const host = flags.host ?? env.MLFLOW_HOST ?? "127.0.0.1";
  const portText = String(flags.port ?? env.MLFLOW_PORT ?? "5000");
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`Invalid port '${portText}': expected 0-65535.`);
  const backendGiven = flags.backendStoreUri ?? env.MLFLOW_BACKEND_STORE_URI;
  const backendStoreUri = backendGiven ?? DEFAULT_BACKEND_STORE_URI;
  if (!/^[a-zA-Z][\w+]*:\/\//.test(backendStoreUri)) {
    throw new ConfigError(
      `Invalid --backend-store-uri '${backendStoreUri}': expected a database URI such as sqlite:///mlflow.db (file-based stores are not supported).`,
    );
  }
  const serveArtifacts = flags.serveArtifacts ?? envBool(env, "MLFLOW_SERVE_ARTIFACTS") ?? true;
  const artifactsOnly = flags.artifactsOnly ?? envBool(env, "MLFLOW_ARTIFACTS_ONLY") ?? false;
  if (artifactsOnly && backendGiven !== undefined && backendGiven !== DEFAULT_BACKEND_STORE_URI) {
    throw new ConfigError("--artifacts-only cannot be used with a non-default --backend-store-uri.");
  }
  if (artifactsOnly && !serveArtifacts) {
    throw new ConfigError("--artifacts-only requires serving artifacts; do not combine it with --no-serve-artifacts.");
  }
  const staticPrefix = flags.staticPrefix ?? env.MLFLOW_STATIC_PREFIX ?? "";
  if (staticPrefix !== "" && (!staticPrefix.startsWith("/") || staticPrefix.endsWith("/"))) {
    throw new ConfigError(`--static-prefix must begin with a '/' and cannot end with a '/' (got '${staticPrefix}').`);
  }
  const destination = flags.artifactsDestination ?? env.MLFLOW_ARTIFACTS_DESTINATION ?? "./mlartifacts";
  const rootGiven = flags.defaultArtifactRoot ?? env.MLFLOW_DEFAULT_ARTIFACT_ROOT;
  const defaultArtifactRoot =
    rootGiven !== undefined
      ? toUriIfPath(rootGiven)
      : serveArtifacts
        ? "mlflow-artifacts:/"
        : pathToFileURL(resolve("./mlruns")).href;
  const sourceRegex = env.MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX;
  let modelVersionSourceRegex: RegExp | undefined;
  if (sourceRegex) {
    try {
      modelVersionSourceRegex = new RegExp(sourceRegex);
    } catch (e) {
      throw new ConfigError(
        `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX is not a valid regex: ${(e as Error).message}`,
      );
    }
  }
  return {
    host,
    port,
    backendStoreUri,
    defaultArtifactRoot,
    artifactsDestination: localDir(destination),
    serveArtifacts,
    artifactsOnly,
    staticPrefix,
    maxJsonBodyBytes: 64 * 1024 * 1024,
    version: MLFLOW_COMPAT_VERSION,
    modelVersionSourceRegex,
    webhookDelivery: webhookDeliveryConfig(flags.webhookDelivery, env),
    corsAllowedOrigins: corsOrigins(flags.corsAllowedOrigins ?? env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS ?? ""),
  };
}

const WEBHOOK_ENV: Record<keyof WebhookDeliveryConfig, string> = {
  pollIntervalMs: "MLFLOW_TS_WEBHOOK_POLL_INTERVAL_MS",
  initialBackoffMs: "MLFLOW_TS_WEBHOOK_INITIAL_BACKOFF_MS",
  maxBackoffMs: "MLFLOW_TS_WEBHOOK_MAX_BACKOFF_MS",
  maxAttempts: "MLFLOW_TS_WEBHOOK_MAX_ATTEMPTS",
  timeoutMs: "MLFLOW_TS_WEBHOOK_TIMEOUT_MS",
  concurrency: "MLFLOW_TS_WEBHOOK_CONCURRENCY",
};

function webhookDeliveryConfig(
  overrides: Partial<WebhookDeliveryConfig> | undefined,
  env: NodeJS.ProcessEnv,
): WebhookDeliveryConfig {
  const out = { ...DEFAULT_WEBHOOK_DELIVERY };
  for (const key of Object.keys(WEBHOOK_ENV) as (keyof WebhookDeliveryConfig)[]) {
    const name = WEBHOOK_ENV[key];
    const text = env[name];
    if (text !== undefined && text !== "") {
      if (!/^\d+$/.test(text) || Number(text) < 1)
        throw new ConfigError(`${name} must be a positive integer (got '${text}').`);
      out[key] = Number(text);
    }
    const given = overrides?.[key];
    if (given !== undefined) out[key] = given;
  }
  return out;
}

function corsOrigins(list: string): string[] {
  const origins = list
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const o of origins) {
    if (o !== "*" && !/^[a-zA-Z][\w+.-]*:\/\/[^/]+$/.test(o)) {
      throw new ConfigError(
        `Invalid CORS origin '${o}': expected scheme://host[:port] (globs with * allowed), or * for any origin.`,
      );
    }
  }
  return origins;
}

function toUriIfPath(p: string): string {
  return /^[a-zA-Z][\w+.-]*:/.test(p) ? p : pathToFileURL(resolve(p)).href;
}

function localDir(p: string): string {
  if (p.startsWith("file://")) return new URL(p).pathname;
  if (/^[a-zA-Z][\w+.-]*:\/\//.test(p)) {
    throw new ConfigError(`--artifacts-destination '${p}': only local directories are supported in this build.`);
  }
  return resolve(p);
}
