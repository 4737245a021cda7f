/**
 * `models:/` and `runs:/` URIs, parsed and resolved the way MLflow's clients do it
 * (`mlflow/store/artifact/utils/models.py`). Resolution goes through `ModelUriLookups`, so the
 * server (over its store), the CLI and the SDK (over REST) share one implementation.
 */
import { MlflowError } from "./mlflow-error.js";
import type { ModelVersion } from "./registry-entities.js";

export type ParsedModelUri =
  | { kind: "version"; name: string; version: string }
  | { kind: "stage"; name: string; stage: string }
  | { kind: "latest"; name: string }
  | { kind: "alias"; name: string; alias: string };

function improper(uri: string, scheme = "models"): MlflowError {
  return MlflowError.invalidParameter(
    `Not a proper ${scheme}:/ URI: ${uri}. ${scheme} URIs must be of the form '${scheme}:/model_name/suffix' or ` +
      `'${scheme}:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where ` +
      "alias is a registered model alias. Only one of suffix or alias can be defined at a time.",
  );
}

/** Splits `scheme:[//authority]/path` into scheme and path (the authority, e.g. a profile, is ignored). */
function splitUri(uri: string): { scheme: string; path: string } | undefined {
  const m = /^([a-zA-Z][\w+.-]*):(.*)$/s.exec(uri);
  if (!m) return undefined;
  let rest = m[2] as string;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  const q = rest.search(/[?]/);
  return { scheme: (m[1] as string).toLowerCase(), path: q < 0 ? rest : rest.slice(0, q) };
}

export function parseModelUri(uri: string): ParsedModelUri {
  const split = splitUri(uri);
  if (split?.scheme !== "models") throw improper(uri);
  const { path } = split;
  if (!path.startsWith("/") || path.length <= 1) throw improper(uri);
  const parts = path.replace(/^\/+/, "").split("/");
  const first = parts[0] ?? "";
  if (parts.length > 2 || first.trim() === "") throw improper(uri);
  if (parts.length === 2) {
    const suffix = parts[1] as string;
    if (suffix.trim() === "") throw improper(uri);
    if (/^\d+$/.test(suffix)) return { kind: "version", name: first, version: suffix };
    if (suffix.toLowerCase() === "latest") return { kind: "latest", name: first };
    return { kind: "stage", name: first, stage: suffix };
  }
  const at = first.lastIndexOf("@");
  if (at < 0 || first.slice(at + 1).trim() === "" || first.slice(0, at).trim() === "") throw improper(uri);
  return { kind: "alias", name: first.slice(0, at), alias: first.slice(at + 1) };
}

/** `runs:/<run_id>/<path>` → run id and the (possibly empty) artifact path. */
export function parseRunsUri(uri: string): { runId: string; path: string } {
  const split = splitUri(uri);
  const bad = () =>
    MlflowError.invalidParameter(
      `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  if (split?.scheme !== "runs") throw bad();
  const parts = split.path.replace(/^\/+/, "").split("/");
  const runId = parts[0] ?? "";
  if (runId === "") throw bad();
  return {
    runId,
    path: parts
      .slice(1)
      .filter((p) => p !== "")
      .join("/"),
  };
}

/** The registry and tracking calls a resolver needs (REST endpoints, or a store). */
export interface ModelUriLookups {
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  getLatestVersions(name: string, stages: string[]): Promise<ModelVersion[]>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  getRunArtifactUri(runId: string): Promise<string>;
}

export interface ResolvedModelUri {
  uri: string;
  /** The registered model and version behind a `models:/` URI. */
  name?: string;
  version?: string;
  /** Where the artifacts are (a `runs:/` download URI is resolved to the run's artifact location). */
  artifact_uri: string;
}

/** The version a `models:/` URI points at (the highest one, for a stage or `latest`). */
export async function resolveModelVersion(parsed: ParsedModelUri, lookups: ModelUriLookups): Promise<string> {
  switch (parsed.kind) {
    case "version":
      return parsed.version;
    case "alias":
      return (await lookups.getModelVersionByAlias(parsed.name, parsed.alias)).version;
    case "stage":
    case "latest": {
      const stages = parsed.kind === "stage" ? [parsed.stage] : [];
      const versions = await lookups.getLatestVersions(parsed.name, stages);
      if (versions.length === 0) {
        const stage = parsed.kind === "stage" ? parsed.stage : "None";
        throw MlflowError.notFound(`No versions of model with name '${parsed.name}' and stage '${stage}' found`);
      }
      return String(Math.max(...versions.map((v) => Number(v.version))));
    }
  }
}

function joinArtifactPath(base: string, path: string): string {
  if (!path) return base;
  return base.endsWith("/") ? `${base}${path}` : `${base}/${path}`;
}

/**
 * Resolves `models:/...` (all four forms) and `runs:/<id>/<path>` to the artifact location.
 * Any other URI is already an artifact location and is returned as is.
 */
export async function resolveArtifactUri(uri: string, lookups: ModelUriLookups): Promise<ResolvedModelUri> {
  const scheme = splitUri(uri)?.scheme;
  if (scheme === "runs") {
    const { runId, path } = parseRunsUri(uri);
    return { uri, artifact_uri: joinArtifactPath(await lookups.getRunArtifactUri(runId), path) };
  }
  if (scheme !== "models") return { uri, artifact_uri: uri };
  const parsed = parseModelUri(uri);
  const version = await resolveModelVersion(parsed, lookups);
  let location = await lookups.getModelVersionDownloadUri(parsed.name, version);
  // A version registered from `runs:/...` downloads through the run (as MLflow's client does).
  if (splitUri(location)?.scheme === "runs") {
    const { runId, path } = parseRunsUri(location);
    location = joinArtifactPath(await lookups.getRunArtifactUri(runId), path);
  }
  return { uri, name: parsed.name, version, artifact_uri: location };
}
