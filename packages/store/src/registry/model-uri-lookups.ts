import { MlflowError, type ModelUriLookups, resolveArtifactUri, type ResolvedModelUri } from "@mlflow-ts/protocol";
import { getModelVersionByAlias } from "./aliases.js";
import type { RegistryContext } from "./context.js";
import { getModelVersionDownloadUri } from "./model-versions.js";
import { getLatestVersions } from "./registered-models.js";

/** The URI resolver's lookups, answered from the database (the server's side of `models:/`). */
export function storeModelUriLookups(ctx: RegistryContext): ModelUriLookups {
  return {
    getModelVersionDownloadUri: (name, version) => getModelVersionDownloadUri(ctx, name, version),
    getLatestVersions: (name, stages) => getLatestVersions(ctx, name, stages),
    getModelVersionByAlias: (name, alias) => getModelVersionByAlias(ctx, name, alias),
    async getRunArtifactUri(runId) {
      const run = await ctx.db.get<{ artifact_uri: string | null }>(
        "SELECT artifact_uri FROM runs WHERE run_uuid = ?",
        [runId],
      );
      if (!run) throw MlflowError.notFound(`Run with id=${runId} not found`);
      return run.artifact_uri ?? "";
    },
  };
}

export function resolveModelUri(ctx: RegistryContext, uri: string): Promise<ResolvedModelUri> {
  return resolveArtifactUri(uri, storeModelUriLookups(ctx));
}
