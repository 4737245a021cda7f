import { fileURLToPath } from "node:url";
import { MlflowError } from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";

/**
 * MLflow's checks on a model version's `source` (server handler `_validate_source`):
 * an optional operator regex; local paths only inside the artifact directory of the given run;
 * other URIs without relative path references.
 */

/** A plain path or a `file:` URI (on this host). */
export function isLocalUri(uri: string): boolean {
  const scheme = /^([a-zA-Z][\w+.-]*):/.exec(uri)?.[1];
  if (scheme === undefined || /^[a-zA-Z]:[\\/]/.test(uri)) return true;
  if (scheme.toLowerCase() !== "file") return false;
  const host = /^file:\/\/([^/]*)/i.exec(uri)?.[1];
  return host === undefined || host === "" || host === "localhost";
}

function localPath(uri: string): string {
  const path = /^file:/i.test(uri) ? fileURLToPath(uri.replace(/^file:(?!\/\/)/i, "file://")) : uri;
  return normalize(path.startsWith("/") ? path : `${process.cwd()}/${path}`);
}

/** posix normpath of an absolute path: `//` collapsed, `.` dropped, `..` resolved. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

function fullyDecoded(source: string): string {
  let current = source;
  for (let i = 0; i < 20; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, " "));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function uriPath(uri: string): string {
  const m = /^[a-zA-Z][\w+.-]*:(\/\/[^/?#]*)?([^?#]*)/.exec(uri);
  return m?.[2] ?? uri;
}

function validateNonLocalSource(source: string): void {
  const invalid = () =>
    MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, ` +
        "objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references " +
        "present. Please provide an absolute path.",
    );
  const decoded = fullyDecoded(source);
  const path = uriPath(decoded).replace(/\/+$/, "").replace(/\/+/g, "/");
  if (path.includes("\u0000") || decoded.split("/").some((p) => p === "..")) throw invalid();
  if (path !== "" && normalize(path) !== (path.startsWith("/") ? path : `/${path}`)) throw invalid();
}

export async function validateModelVersionSource(
  db: SqlExecutor,
  source: string,
  runId: string | undefined,
  regex: RegExp | undefined,
): Promise<void> {
  if (regex && !regex.test(source)) throw MlflowError.invalidParameter(`Invalid model version source: '${source}'.`);
  if (!isLocalUri(source)) return validateNonLocalSource(source);
  if (runId) {
    const run = await db.get<{ artifact_uri: string | null }>("SELECT artifact_uri FROM runs WHERE run_uuid = ?", [
      runId,
    ]);
    if (!run) throw MlflowError.notFound(`Run with id=${runId} not found`);
    if (run.artifact_uri && isLocalUri(run.artifact_uri)) {
      const root = localPath(run.artifact_uri);
      const path = localPath(source);
      if (path === root || path.startsWith(`${root === "/" ? "" : root}/`)) return;
    }
  }
  throw MlflowError.invalidParameter(
    `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request ` +
      "parameter has to be specified and the local path has to be contained within the artifact directory of the " +
      "run specified by the run_id.",
  );
}
