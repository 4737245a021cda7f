import type { Command } from "commander";

/** MLflow's `--older-than` format: `#d#h#m#s`, floats allowed (`1d2h`, `1.5d`, `30m`). Returns ms. */
export function parseOlderThan(text: string): number {
  const m = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!m || text.trim() === "") {
    throw new Error(`Could not parse --older-than '${text}': use the #d#h#m#s format, e.g. 30d or 1d2h3m4s.`);
  }
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return Math.round(((d * 24 + h) * 60 + min) * 60_000 + s * 1000);
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * `mlflow-ts gc`: as `mlflow gc`, permanently deletes runs in the `deleted` lifecycle stage with
 * their artifacts, then deleted experiments, straight on the backend store (no server needed).
 * Runs go through the same code as `POST /api/2.0/mlflow-ts/runs/delete-permanently` (the server's
 * `purgeRuns`). Selection as MLflow's: the listed runs (or every deleted run), plus the listed
 * experiments (or every deleted experiment) with their deleted runs; with `--older-than`, runs by
 * `deleted_time` and experiments by `last_update_time`. Everything is checked before anything is
 * deleted.
 */
export function registerGcCommand(program: Command): void {
  program
    .command("gc")
    .description("Permanently delete runs in the `deleted` lifecycle stage, with their artifacts.")
    .option("--backend-store-uri <uri>", "database URI (env MLFLOW_BACKEND_STORE_URI), default sqlite:///mlflow.db")
    .option(
      "--artifacts-destination <dir>",
      "the proxied artifact root (env MLFLOW_ARTIFACTS_DESTINATION), default ./mlartifacts",
    )
    .option("--older-than <age>", "only runs deleted longer ago than this, in #d#h#m#s format (e.g. 30d, 1d2h)")
    .option("--run-ids <ids>", "comma-separated ids of deleted runs to remove (default: every deleted run)")
    .option(
      "--experiment-ids <ids>",
      "comma-separated ids of deleted experiments to remove with their runs (default: every deleted experiment)",
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const fail = (message: string, code = 1): never => {
        process.stderr.write(`mlflow-ts gc: error: ${message}\n`);
        process.exit(code);
      };
      const { ArtifactService, ConfigError, purgeRuns, resolveServerConfig } = await import("@mlflow-ts/server");
      const { SqlTrackingStore } = await import("@mlflow-ts/store");
      let config: ReturnType<typeof resolveServerConfig>;
      let olderThan: number | undefined;
      try {
        config = resolveServerConfig(
          { backendStoreUri: opts.backendStoreUri, artifactsDestination: opts.artifactsDestination },
          process.env,
        );
        olderThan = opts.olderThan !== undefined ? parseOlderThan(opts.olderThan) : undefined;
      } catch (e) {
        return fail((e as Error).message, e instanceof ConfigError ? 2 : 1);
      }
      let store: Awaited<ReturnType<typeof SqlTrackingStore.open>>;
      try {
        store = await SqlTrackingStore.open(config.backendStoreUri, {
          defaultArtifactRoot: config.defaultArtifactRoot,
        });
      } catch (e) {
        return fail(`cannot open '${config.backendStoreUri}': ${(e as Error).message}`);
      }
      try {
        const cutoff = olderThan !== undefined ? Date.now() - olderThan : undefined;
        const tooRecent = (r: { run_id: string; deleted_time?: number }) =>
          cutoff !== undefined && (r.deleted_time === undefined || r.deleted_time >= cutoff);
        const runIds = list(opts.runIds);
        const runs = new Map<string, Awaited<ReturnType<typeof store.listDeletedRuns>>[number]>();
        // the runs: the listed ones (each must be deleted, and old enough) or every deleted run old enough
        if (runIds.length) {
          for (let i = 0; i < runIds.length; i += 1000) {
            for (const r of await store.runsForPermanentDelete(runIds.slice(i, i + 1000))) runs.set(r.run_id, r);
          }
        } else {
          for (const r of await store.listDeletedRuns(cutoff !== undefined ? { deletedBefore: cutoff } : {})) {
            runs.set(r.run_id, r);
          }
        }
        // the experiments: the listed ones (each must be deleted, and old enough) or every deleted one,
        // with all their deleted runs
        const experiments = await store.deletedExperimentsForGc({
          ...(list(opts.experimentIds).length ? { experimentIds: list(opts.experimentIds) } : {}),
          ...(cutoff !== undefined ? { updatedBefore: cutoff } : {}),
        });
        if (experiments.length) {
          for (const r of await store.listDeletedRuns({ experimentIds: experiments })) runs.set(r.run_id, r);
        }
        const all = [...runs.values()];
        const recent = all.find(tooRecent);
        if (recent) {
          throw new Error(
            `Run ${recent.run_id} is not older than the required age. Only runs older than ${opts.olderThan} can be deleted.`,
          );
        }
        const artifacts = new ArtifactService(config);
        try {
          for (let i = 0; i < all.length; i += 1000) {
            const result = await purgeRuns(store, artifacts, all.slice(i, i + 1000), (id) =>
              process.stdout.write(`Run with ID ${id} has been permanently deleted.\n`),
            );
            for (const l of result.artifacts_left) {
              process.stderr.write(
                `mlflow-ts gc: artifacts of run ${l.run_id} left at ${l.artifact_uri}: ${l.reason}\n`,
              );
            }
          }
        } finally {
          await artifacts.close();
        }
        for (const id of experiments) {
          await store.deleteExperimentsPermanently([id]);
          process.stdout.write(`Experiment with ID ${id} has been permanently deleted.\n`);
        }
        if (all.length === 0 && experiments.length === 0) process.stdout.write("Nothing to delete.\n");
      } catch (e) {
        process.stderr.write(`mlflow-ts gc: error: ${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
