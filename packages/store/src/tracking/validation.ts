import { LIMITS, MlflowError } from "@mlflow-ts/protocol";

/** MLflow's input rules for keys, values and ids (tracking-api.md §6). */

const VALID_NAME = /^[/\p{L}\p{N}_.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const BAD_CHARACTERS =
  "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).";

function normpath(p: string): string {
  if (p === "") return ".";
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (seg === ".." && abs) continue;
    else out.push(seg);
  }
  const joined = out.join("/");
  return abs ? `/${joined}` : joined || ".";
}

export function validateKey(key: string | undefined, what: string, path = "key"): asserts key is string {
  if (key === undefined || key === null) {
    throw MlflowError.invalidParameter(`Missing value for required parameter '${path}'. A key name must be provided.`);
  }
  if (!VALID_NAME.test(key)) {
    throw MlflowError.invalidParameter(
      `Invalid value ${JSON.stringify(key)} for parameter '${path}' supplied. ${BAD_CHARACTERS}`,
    );
  }
  const norm = normpath(key);
  if (norm !== key || norm === "." || norm.startsWith("..") || norm.startsWith("/")) {
    throw MlflowError.invalidParameter(
      `Invalid value ${JSON.stringify(key)} for parameter '${path}' supplied. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    );
  }
  validateLength(key, LIMITS.keyLength, `${what} key`, path);
}

export function validateLength(value: string, limit: number, what: string, path: string): void {
  if (value.length > limit) {
    throw MlflowError.invalidParameter(
      `${what} '${value.slice(0, 100)}${value.length > 100 ? "..." : ""}' had length ${value.length}, which exceeded length limit of ${limit} (parameter '${path}').`,
    );
  }
}

export function validateParam(key: string, value: string, path = "params"): void {
  validateKey(key, "Param", path === "params" ? "key" : `${path}.key`);
  validateLength(value, LIMITS.paramValueLength, "Param value", path === "params" ? "value" : `${path}.value`);
}

export function validateRunTag(key: string, value: string, path = "tags"): void {
  validateKey(key, "Tag", path === "tags" ? "key" : `${path}.key`);
  validateLength(value, LIMITS.runTagValueLength, "Tag value", path === "tags" ? "value" : `${path}.value`);
}

export function validateExperimentTag(key: string, value: string): void {
  validateKey(key, "Experiment tag");
  validateLength(value, LIMITS.experimentTagValueLength, "Experiment tag value", "value");
}

export function validateMetric(key: string, timestamp: number, path = ""): void {
  const p = (f: string) => (path ? `${path}.${f}` : f);
  validateKey(key, "Metric", p("key"));
  if (timestamp < 0) {
    throw MlflowError.invalidParameter(
      `Invalid value ${timestamp} for parameter '${p("timestamp")}' supplied. Timestamps must be non-negative.`,
    );
  }
}

export function validateRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw MlflowError.invalidParameter(`Invalid run ID: '${runId}'`);
  }
}

export function validateExperimentName(name: string): void {
  if (name.trim() === "") throw MlflowError.invalidParameter("Invalid experiment name: ''");
  validateLength(name, LIMITS.experimentNameLength, "Experiment name", "name");
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const over = (entity: string, limit: number, got: number) =>
    MlflowError.invalidParameter(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${got} ${entity}. Please split up ${entity} across multiple requests and try again.`,
    );
  if (metrics > LIMITS.batchMetrics) throw over("metrics", LIMITS.batchMetrics, metrics);
  if (params > LIMITS.batchParams) throw over("params", LIMITS.batchParams, params);
  if (tags > LIMITS.batchTags) throw over("tags", LIMITS.batchTags, tags);
  const total = metrics + params + tags;
  if (total > LIMITS.batchTotal) throw over("metrics, params, and tags", LIMITS.batchTotal, total);
}

/** Validates an artifact location given at experiment creation (artifacts-api.md §5). */
export function validateArtifactLocation(location: string): void {
  if (location.startsWith("runs:")) {
    throw MlflowError.invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  let decoded = location;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      break;
    }
    if (next === decoded) break;
    decoded = next;
  }
  const schemeMatch = /^[a-zA-Z][\w+.-]*:/.exec(location);
  if (schemeMatch && (location.includes("#") || /;[^/]*$/.test(location.split("?")[0] ?? ""))) {
    throw MlflowError.invalidParameter(
      `Invalid artifact location: '${location}'. It must not contain a fragment or parameters.`,
    );
  }
  const query = decoded.split("?")[1];
  if (query !== undefined && /(^|[/=&])\.\.([/&]|$)/.test(query)) {
    throw MlflowError.invalidParameter(
      `Invalid artifact location: '${location}'. Its query string must not contain path traversal.`,
    );
  }
}
