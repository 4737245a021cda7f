import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkUploadExtraArgs, type S3ArtifactOptions } from "@mlflow-ts/artifacts";
import { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliveryConfig } from "./webhooks/delivery-worker.js";

/** Everything the server needs, resolved once at start from flags and MLflow's environment variables. */
export interface ServerConfig {
  host: string;
  port: number;
  backendStoreUri: string;
  /** Root for new experiments' artifact locations. */
  defaultArtifactRoot: string;
  /** Where proxied (`mlflow-artifacts:`) artifacts are stored: an absolute local directory or an `s3://bucket/prefix` URI. */
  artifactsDestination: string;
  /**
   * How the server reaches S3 (for an `s3://` destination and for runs whose artifact root is
   * `s3://...`), from MLflow's variables: MLFLOW_S3_ENDPOINT_URL, MLFLOW_S3_IGNORE_TLS,
   * MLFLOW_S3_UPLOAD_EXTRA_ARGS, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
   * AWS_DEFAULT_REGION / AWS_REGION. Unset parts fall back to the AWS SDK's defaults.
   */
  s3: S3ArtifactOptions;
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
  /** Programmatic only (tests): S3 options, merged over those from the environment. */
  s3?: S3ArtifactOptions | undefined;
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
    artifactsDestination: artifactsDestination(destination),
    s3: { ...s3OptionsFromEnv(env), ...flags.s3 },
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

/** A local directory (made absolute) or an `s3://` URI; other schemes are a usage error. */
function artifactsDestination(p: string): string {
  if (p.startsWith("file://")) return new URL(p).pathname;
  if (/^s3:\/\//i.test(p)) {
    if (!/^s3:\/\/[^/]{3,}/i.test(p))
      throw new ConfigError(`--artifacts-destination '${p}': expected s3://bucket[/prefix].`);
    return p;
  }
  if (/^[a-zA-Z][\w+.-]*:\/\//.test(p)) {
    throw new ConfigError(
      `--artifacts-destination '${p}': only local directories and s3://bucket/prefix are supported in this build.`,
    );
  }
  return resolve(p);
}

/** MLflow's S3 environment variables → options for the S3 artifact repository. */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv): S3ArtifactOptions {
  const options: S3ArtifactOptions = {};
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL;
  if (endpoint) {
    if (!/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new ConfigError(`MLFLOW_S3_ENDPOINT_URL must be an http(s) URL (got '${endpoint}').`);
    }
    options.endpointUrl = endpoint;
  }
  const region = env.AWS_DEFAULT_REGION || env.AWS_REGION;
  if (region) options.region = region;
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (keyId && secret) {
    options.credentials = {
      accessKeyId: keyId,
      secretAccessKey: secret,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  if (envBool(env, "MLFLOW_S3_IGNORE_TLS")) options.ignoreTls = true;
  const extra = env.MLFLOW_S3_UPLOAD_EXTRA_ARGS;
  if (extra) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(extra);
    } catch {
      throw new ConfigError("MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object.");
    }
    try {
      options.uploadExtraArgs = checkUploadExtraArgs(parsed);
    } catch (e) {
      throw new ConfigError(`MLFLOW_S3_UPLOAD_EXTRA_ARGS: ${(e as Error).message}.`);
    }
  }
  return options;
}
