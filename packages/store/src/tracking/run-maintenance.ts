import { randomUUID } from "node:crypto";
import { LIMITS, MlflowError } from "@mlflow-ts/protocol";
import type { SqlExecutor, SqlValue } from "../sql/database.js";
import { chunks, placeholders, type StoreContext } from "./context.js";
import { experimentRow } from "./experiments.js";

/** A run as permanent deletion needs it: where its artifacts live. */
export interface PurgeableRun {
  run_id: string;
  experiment_id: string;
  artifact_uri: string;
  deleted_time?: number;
}

/** Checks a request's run id list: 1..LIMITS.runMaintenanceMaxRunIds ids, none empty; duplicates dropped. */
export function validateRunIds(runIds: readonly string[] | undefined): string[] {
  const ids = [...new Set(runIds ?? [])];
  if (ids.length === 0) throw MlflowError.invalidParameter("run_ids must name at least one run.");
  if (ids.length > LIMITS.runMaintenanceMaxRunIds) {
    throw MlflowError.invalidParameter(
      `run_ids may name at most ${LIMITS.runMaintenanceMaxRunIds} runs, but got ${ids.length}.`,
    );
  }
  for (const id of ids) {
    if (typeof id !== "string" || !/^[\w-]{1,64}$/.test(id)) {
      throw MlflowError.invalidParameter(`Invalid run id '${String(id)}'.`);
    }
  }
  return ids;
}

interface LoadedRun {
  run_uuid: string;
  experiment_id: number;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  deleted_time: number | null;
}

/** The runs' rows, in chunks that stay within bind limits; any unknown id → RESOURCE_DOES_NOT_EXIST. */
async function loadRuns(db: SqlExecutor, ids: readonly string[]): Promise<LoadedRun[]> {
  const rows: LoadedRun[] = [];
  for (const part of chunks(ids, 500)) {
    rows.push(
      ...(await db.all<LoadedRun>(
        `SELECT run_uuid, experiment_id, lifecycle_stage, artifact_uri, deleted_time FROM runs WHERE run_uuid IN ${placeholders(part.length)}`,
        part,
      )),
    );
  }
  if (rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.run_uuid));
    const missing = ids.filter((id) => !found.has(id));
    throw MlflowError.notFound(
      `Run with id=${missing[0]} not found${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""}`,
    );
  }
  const byId = new Map(rows.map((r) => [r.run_uuid, r]));
  return ids.map((id) => byId.get(id) as LoadedRun);
}

/**
 * Moves runs to another experiment in one transaction (all or nothing). Runs keep their ids,
 * lifecycle and artifact_uri (artifacts stay where they are). The runs' dataset inputs are
 * repointed to the target experiment's row for the same dataset (name, digest), copied from the
 * source row when the target has none, so the datasets show up in the target's search-datasets.
 * Returns how many runs changed experiment.
 */
export async function moveRuns(ctx: StoreContext, runIds: readonly string[], experimentId: string): Promise<number> {
  const ids = validateRunIds(runIds);
  if (!experimentId) throw MlflowError.invalidParameter("Missing value for required parameter 'experiment_id'.");
  return ctx.db.transaction(async (tx) => {
    const target = await experimentRow(tx, experimentId);
    if (target.lifecycle_stage !== "active") {
      throw new MlflowError(
        "INVALID_STATE",
        `Cannot move runs to experiment ${experimentId}: it is in the '${target.lifecycle_stage}' state.`,
      );
    }
    const rows = await loadRuns(tx, ids);
    const moving = rows.filter((r) => Number(r.experiment_id) !== Number(target.experiment_id)).map((r) => r.run_uuid);
    if (moving.length === 0) return 0;
    const now = ctx.now();
    for (const part of chunks(moving, 500)) {
      await tx.run(`UPDATE runs SET experiment_id = ? WHERE run_uuid IN ${placeholders(part.length)}`, [
        target.experiment_id,
        ...part,
      ]);
    }
    await moveDatasetInputs(tx, moving, target.experiment_id);
    await tx.run("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", [now, target.experiment_id]);
    return moving.length;
  });
}

interface InputDatasetRow {
  input_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

async function moveDatasetInputs(tx: SqlExecutor, runIds: readonly string[], targetExperiment: number): Promise<void> {
  const inputs: InputDatasetRow[] = [];
  for (const part of chunks(runIds, 500)) {
    inputs.push(
      ...(await tx.all<InputDatasetRow>(
        `SELECT inputs.input_uuid, datasets.experiment_id, datasets.name, datasets.digest, datasets.dataset_source_type,
                datasets.dataset_source, datasets.dataset_schema, datasets.dataset_profile
           FROM inputs JOIN datasets ON datasets.dataset_uuid = inputs.source_id
          WHERE inputs.source_type = 'DATASET' AND inputs.destination_type = 'RUN'
            AND inputs.destination_id IN ${placeholders(part.length)}`,
        part,
      )),
    );
  }
  const targetUuid = new Map<string, string>();
  for (const input of inputs) {
    if (Number(input.experiment_id) === Number(targetExperiment)) continue;
    const key = `${input.name}\u0000${input.digest}`;
    let uuid = targetUuid.get(key);
    if (uuid === undefined) {
      const existing = await tx.get<{ dataset_uuid: string }>(
        "SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
        [targetExperiment, input.name, input.digest],
      );
      uuid = existing?.dataset_uuid ?? randomUUID().replaceAll("-", "");
      if (!existing) {
        await tx.run(
          `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            uuid,
            targetExperiment,
            input.name,
            input.digest,
            input.dataset_source_type,
            input.dataset_source,
            input.dataset_schema,
            input.dataset_profile,
          ],
        );
      }
      targetUuid.set(key, uuid);
    }
    await tx.run("UPDATE inputs SET source_id = ? WHERE input_uuid = ?", [uuid, input.input_uuid]);
  }
}

/**
 * The runs permanent deletion would remove, checked: every id must exist (RESOURCE_DOES_NOT_EXIST)
 * and be in the `deleted` lifecycle stage (INVALID_STATE). Nothing is changed.
 */
export async function runsForPermanentDelete(ctx: StoreContext, runIds: readonly string[]): Promise<PurgeableRun[]> {
  const ids = validateRunIds(runIds);
  return checkDeleted(await loadRuns(ctx.db, ids));
}

function checkDeleted(rows: readonly LoadedRun[]): PurgeableRun[] {
  const live = rows.filter((r) => r.lifecycle_stage !== "deleted");
  if (live.length) {
    throw new MlflowError(
      "INVALID_STATE",
      `Run ${live[0]?.run_uuid} is not in the 'deleted' lifecycle stage${live.length > 1 ? ` (and ${live.length - 1} more)` : ""}. Only deleted runs can be deleted permanently.`,
    );
  }
  return rows.map((r) => {
    const out: PurgeableRun = {
      run_id: r.run_uuid,
      experiment_id: String(r.experiment_id),
      artifact_uri: r.artifact_uri ?? "",
    };
    if (r.deleted_time !== null) out.deleted_time = Number(r.deleted_time);
    return out;
  });
}

/**
 * Deleted runs for garbage collection (`mlflow-ts gc`): every run in the `deleted` stage, or only
 * those deleted before `deletedBefore` (ms), optionally within some experiments.
 */
export async function listDeletedRuns(
  ctx: StoreContext,
  options: { deletedBefore?: number; experimentIds?: readonly string[] } = {},
): Promise<PurgeableRun[]> {
  const where = ["lifecycle_stage = 'deleted'"];
  const params: SqlValue[] = [];
  if (options.deletedBefore !== undefined) {
    where.push("deleted_time IS NOT NULL AND deleted_time < ?");
    params.push(options.deletedBefore);
  }
  if (options.experimentIds?.length) {
    const exp = options.experimentIds.map((e) => {
      if (!/^\d{1,15}$/.test(e)) throw MlflowError.invalidParameter(`Invalid experiment id '${e}'.`);
      return Number(e);
    });
    where.push(`experiment_id IN ${placeholders(exp.length)}`);
    params.push(...exp);
  }
  const rows = await ctx.db.all<LoadedRun>(
    `SELECT run_uuid, experiment_id, lifecycle_stage, artifact_uri, deleted_time FROM runs WHERE ${where.join(" AND ")} ORDER BY deleted_time, run_uuid`,
    params,
  );
  return checkDeleted(rows);
}

/**
 * Removes deleted runs and everything stored with them (metrics, latest metrics, params, tags,
 * dataset inputs and their tags) in one transaction. Every run must still be `deleted`
 * (INVALID_STATE otherwise, nothing removed). Artifacts are the caller's business (see the
 * server's run purge). Dataset rows stay: other runs may use them.
 */
export async function deleteRunsPermanently(ctx: StoreContext, runIds: readonly string[]): Promise<number> {
  const ids = validateRunIds(runIds);
  return ctx.db.transaction(async (tx) => {
    checkDeleted(await loadRuns(tx, ids));
    for (const part of chunks(ids, 500)) {
      const in_ = placeholders(part.length);
      await tx.run(
        `DELETE FROM input_tags WHERE input_uuid IN (SELECT input_uuid FROM inputs WHERE destination_type = 'RUN' AND destination_id IN ${in_})`,
        part,
      );
      await tx.run(`DELETE FROM inputs WHERE destination_type = 'RUN' AND destination_id IN ${in_}`, part);
      for (const table of ["metrics", "latest_metrics", "params", "tags"]) {
        await tx.run(`DELETE FROM ${table} WHERE run_uuid IN ${in_}`, part);
      }
      await tx.run(`DELETE FROM runs WHERE run_uuid IN ${in_}`, part);
    }
    return ids.length;
  });
}

/**
 * Deleted experiments for `mlflow-ts gc`, as `mlflow gc` picks them: the listed ids (each must be
 * in the `deleted` stage and, with `updatedBefore`, last updated before it; INVALID_PARAMETER_VALUE
 * otherwise) or, when none are listed, every deleted experiment (last updated before `updatedBefore`).
 */
export async function deletedExperimentsForGc(
  ctx: StoreContext,
  options: { experimentIds?: readonly string[]; updatedBefore?: number } = {},
): Promise<string[]> {
  const { experimentIds, updatedBefore } = options;
  if (experimentIds?.length) {
    const rows = [];
    for (const id of experimentIds) rows.push(await experimentRow(ctx.db, id));
    const live = rows.filter((r) => r.lifecycle_stage !== "deleted").map((r) => String(r.experiment_id));
    if (live.length) {
      throw MlflowError.invalidParameter(
        `Experiments [${live.join(", ")}] are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
      );
    }
    if (updatedBefore !== undefined) {
      const recent = rows
        .filter((r) => r.last_update_time === null || Number(r.last_update_time) >= updatedBefore)
        .map((r) => String(r.experiment_id));
      if (recent.length) {
        throw MlflowError.invalidParameter(
          `Experiments [${recent.join(", ")}] are not older than the required age. Only older experiments can be deleted.`,
        );
      }
    }
    return rows.map((r) => String(r.experiment_id));
  }
  const rows = await ctx.db.all<{ experiment_id: number }>(
    `SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'deleted'${updatedBefore !== undefined ? " AND last_update_time < ?" : ""} ORDER BY experiment_id`,
    updatedBefore !== undefined ? [updatedBefore] : [],
  );
  return rows.map((r) => String(r.experiment_id));
}

/**
 * Removes deleted experiments for good, each in its own transaction: tags, datasets (and any
 * inputs still pointing at them), traces, the experiment row. An experiment that still has runs
 * (purge its deleted runs first; an active run in a deleted experiment is never removed
 * implicitly) → INVALID_STATE, and that experiment stays.
 */
export async function deleteExperimentsPermanently(ctx: StoreContext, experimentIds: readonly string[]): Promise<void> {
  for (const id of experimentIds) {
    await ctx.db.transaction(async (tx) => {
      const row = await experimentRow(tx, id);
      if (row.lifecycle_stage !== "deleted") {
        throw new MlflowError("INVALID_STATE", `Experiment ${id} is not in the deleted lifecycle stage.`);
      }
      const exp = row.experiment_id;
      const runs = await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM runs WHERE experiment_id = ?", [exp]);
      if (Number(runs?.n ?? 0) > 0) {
        throw new MlflowError(
          "INVALID_STATE",
          `Experiment ${id} still has ${runs?.n} run(s) that are not deleted; restore or delete them first.`,
        );
      }
      const datasets = "SELECT dataset_uuid FROM datasets WHERE experiment_id = ?";
      await tx.run(
        `DELETE FROM input_tags WHERE input_uuid IN (SELECT input_uuid FROM inputs WHERE source_type = 'DATASET' AND source_id IN (${datasets}))`,
        [exp],
      );
      await tx.run(`DELETE FROM inputs WHERE source_type = 'DATASET' AND source_id IN (${datasets})`, [exp]);
      await tx.run("DELETE FROM datasets WHERE experiment_id = ?", [exp]);
      const traces = "SELECT request_id FROM trace_info WHERE experiment_id = ?";
      await tx.run(`DELETE FROM trace_tags WHERE request_id IN (${traces})`, [exp]);
      await tx.run(`DELETE FROM trace_request_metadata WHERE request_id IN (${traces})`, [exp]);
      await tx.run("DELETE FROM trace_info WHERE experiment_id = ?", [exp]);
      await tx.run("DELETE FROM experiment_tags WHERE experiment_id = ?", [exp]);
      await tx.run("DELETE FROM experiments WHERE experiment_id = ?", [exp]);
    });
  }
}
