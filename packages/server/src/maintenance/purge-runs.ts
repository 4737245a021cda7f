import { rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { localPathFromUri } from "@mlflow-ts/artifacts";
import type { PurgeableRun, TrackingStore } from "@mlflow-ts/store";
import { type ArtifactService, proxiedPath } from "../handlers/artifact-service.js";

/** A run whose artifacts permanent deletion did not remove, and why. */
export interface ArtifactsLeft {
  run_id: string;
  artifact_uri: string;
  reason: string;
}

export interface PurgeResult {
  deleted_run_ids: string[];
  artifacts_left: ArtifactsLeft[];
}

/**
 * Permanently deletes deleted runs: first each run's artifacts, when they live where this server
 * can reach them (the proxy destination for `mlflow-artifacts:` roots, a local path, or an
 * `s3://` root), then the runs' rows in one transaction. Roots under a scheme the server has no
 * repository for are left and reported, as are roots that do not contain the run id as a path
 * segment (a guard against removing a shared directory). Used by `POST /mlflow-ts/runs/delete-permanently` and `mlflow-ts gc`.
 */
export async function purgeRuns(
  store: TrackingStore,
  artifacts: ArtifactService,
  runs: readonly PurgeableRun[],
  onRun?: (runId: string) => void,
): Promise<PurgeResult> {
  const left: ArtifactsLeft[] = [];
  for (const run of runs) {
    const reason = await deleteRunArtifacts(artifacts, run);
    if (reason) left.push({ run_id: run.run_id, artifact_uri: run.artifact_uri, reason });
  }
  const ids = runs.map((r) => r.run_id);
  if (ids.length) await store.deleteRunsPermanently(ids);
  for (const id of ids) onRun?.(id);
  return { deleted_run_ids: ids, artifacts_left: left };
}

/** Deletes one run's artifact root; returns why it was left, or undefined when it is gone. */
async function deleteRunArtifacts(artifacts: ArtifactService, run: PurgeableRun): Promise<string | undefined> {
  const uri = run.artifact_uri;
  if (!uri) return undefined;
  try {
    const proxied = proxiedPath(uri);
    if (proxied !== undefined) {
      const segments = proxied.split("/");
      if (!segments.includes(run.run_id)) return "the artifact root does not name the run; left in place";
      await artifacts.destination.delete(proxied);
      // `<exp>/<run>/artifacts`: drop the run's directory too once it is empty
      const parent = segments.slice(0, -1);
      if (parent.length && parent[parent.length - 1] === run.run_id) {
        const p = parent.join("/");
        if ((await artifacts.destination.list(p)).length === 0) await artifacts.destination.delete(p);
      }
      return undefined;
    }
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
    if (scheme !== undefined && scheme !== "file") {
      if (!artifacts.registry.schemes().includes(scheme)) {
        return `artifacts at '${scheme}:' locations are not managed by this server; delete them there`;
      }
      // an object store root this server can open (s3://bucket/<exp>/<run>/artifacts)
      if (!new URL(uri).pathname.split("/").includes(run.run_id)) {
        return "the artifact root does not name the run; left in place";
      }
      await artifacts.forRoot(uri).repo.delete("");
      return undefined;
    }
    const dir = localPathFromUri(uri);
    if (!dir.split(path.sep).includes(run.run_id)) return "the artifact root does not name the run; left in place";
    await rm(dir, { recursive: true, force: true });
    const parent = path.dirname(dir);
    if (path.basename(parent) === run.run_id) await rmdir(parent).catch(() => {});
    return undefined;
  } catch (e) {
    return `could not delete the artifacts: ${e instanceof Error ? e.message : String(e)}`;
  }
}
