import {
  type ErrorCode,
  errorCodeForStatus,
  MlflowError,
  type ModelUriLookups,
  type ModelVersion,
  resolveArtifactUri,
} from "@mlflow-ts/protocol";
import type { Command } from "commander";

/**
 * `mlflow-ts models resolve-uri <uri>`: resolves `models:/name/<version|stage|latest>`,
 * `models:/name@alias` and `runs:/<run_id>/path` to an artifact location through a tracking
 * server's REST API (the calls MLflow's clients make), so it works against mlflow-ts and MLflow.
 */
export function registerModelsCommands(program: Command): void {
  const models = program.command("models").description("Model registry tools.");
  models
    .command("resolve-uri")
    .argument(
      "<uri>",
      "models:/name/version, models:/name/Stage, models:/name/latest, models:/name@alias or runs:/id/path",
    )
    .option("--tracking-uri <url>", "tracking server URL (env MLFLOW_TRACKING_URI)")
    .option("--json", "print {uri, name, version, artifact_uri} as JSON")
    .description("Print the artifact location a model URI points at.")
    .action(async (uri: string, opts: { trackingUri?: string; json?: boolean }) => {
      const base = opts.trackingUri ?? process.env.MLFLOW_TRACKING_URI;
      if (!base || !/^https?:\/\//.test(base)) {
        process.stderr.write(
          "mlflow-ts models resolve-uri: error: a tracking server URL is required (--tracking-uri or MLFLOW_TRACKING_URI, http:// or https://).\n",
        );
        process.exit(2);
      }
      try {
        const resolved = await resolveArtifactUri(uri, restLookups(base, process.env));
        process.stdout.write(opts.json ? `${JSON.stringify(resolved)}\n` : `${resolved.artifact_uri}\n`);
      } catch (e) {
        const code = e instanceof MlflowError ? ` (${e.errorCode})` : "";
        process.stderr.write(`mlflow-ts models resolve-uri: error: ${(e as Error).message}${code}\n`);
        process.exitCode = 1;
      }
    });
}

/** The resolver's lookups as REST calls to `base` (basic or bearer auth from MLflow's variables). */
export function restLookups(base: string, env: NodeJS.ProcessEnv): ModelUriLookups {
  const root = `${base.replace(/\/+$/, "")}/api/2.0/mlflow`;
  const headers: Record<string, string> = {};
  if (env.MLFLOW_TRACKING_USERNAME) {
    const credentials = `${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ""}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
  } else if (env.MLFLOW_TRACKING_TOKEN) {
    headers.Authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  }
  // biome-ignore lint/suspicious/noExplicitAny: REST JSON
  async function call(method: "GET" | "POST", path: string, params: Record<string, unknown>): Promise<any> {
    let url = `${root}${path}`;
    const init: RequestInit = { method, headers: { ...headers } };
    if (method === "GET") {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) q.append(k, String(v));
      url += `?${q}`;
    } else {
      init.body = JSON.stringify(params);
      (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let json: { error_code?: string; message?: string } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const code = (json?.error_code as ErrorCode | undefined) ?? errorCodeForStatus(res.status);
      throw new MlflowError(code, json?.message ?? `HTTP ${res.status} from ${url}`);
    }
    return json ?? {};
  }
  return {
    async getModelVersionDownloadUri(name, version) {
      return (await call("GET", "/model-versions/get-download-uri", { name, version })).artifact_uri;
    },
    async getLatestVersions(name, stages) {
      const body = await call("POST", "/registered-models/get-latest-versions", { name, stages });
      return (body.model_versions ?? []) as ModelVersion[];
    },
    async getModelVersionByAlias(name, alias) {
      return (await call("GET", "/registered-models/alias", { name, alias })).model_version as ModelVersion;
    },
    async getRunArtifactUri(runId) {
      return (await call("GET", "/runs/get", { run_id: runId })).run.info.artifact_uri ?? "";
    },
  };
}
