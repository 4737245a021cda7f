import { randomUUID } from "node:crypto";
import { type CreateRunRequest, MlflowError, type Run, type RunInfo, type UpdateRunRequest } from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import { appendToUri, type StoreContext } from "./context.js";
import { requireActiveExperiment } from "./experiments.js";
import { hydrateRuns, type RunRow, toRunInfo } from "./row-mappers.js";
import { randomRunName } from "./run-names.js";
import { validateRunTag } from "./validation.js";

export const RUN_NAME_TAG = "mlflow.runName";

export async function runRow(db: SqlExecutor, runId: string): Promise<RunRow> {
  const row = await db.get<RunRow>("SELECT * FROM runs WHERE run_uuid = ?", [runId]);
  if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
  return row;
}

export async function requireActiveRun(db: SqlExecutor, runId: string): Promise<RunRow> {
  const row = await runRow(db, runId);
  if (row.lifecycle_stage !== "active") {
    throw MlflowError.invalidParameter(
      `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

export async function createRun(ctx: StoreContext, req: CreateRunRequest): Promise<Run> {
  const tags = new Map<string, string>();
  for (const t of req.tags ?? []) {
    validateRunTag(t.key, t.value ?? "");
    tags.set(t.key, t.value ?? "");
  }
  const tagName = tags.get(RUN_NAME_TAG);
  if (req.run_name && tagName !== undefined && tagName !== req.run_name) {
    throw MlflowError.invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${req.run_name}', mlflow.runName='${tagName}').`,
    );
  }
  const name = req.run_name || tagName || randomRunName();
  tags.set(RUN_NAME_TAG, name);
  const experimentId = req.experiment_id || "0";
  const runId = randomUUID().replaceAll("-", "");
  const startTime = req.start_time ?? ctx.now();
  return ctx.db.transaction(async (tx) => {
    const exp = await requireActiveExperiment(tx, experimentId);
    const artifactUri = appendToUri(exp.artifact_location ?? ctx.defaultArtifactRoot, runId, "artifacts");
    await tx.run(
      `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                         end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
      [runId, name, req.user_id ?? null, startTime, artifactUri, exp.experiment_id],
    );
    await tx.insertMany(
      "tags",
      ["key", "value", "run_uuid"],
      [...tags].map(([k, v]) => [k, v, runId]),
    );
    const [run] = await hydrateRuns(tx, [await runRow(tx, runId)]);
    return run as Run;
  });
}

export async function getRun(ctx: StoreContext, runId: string): Promise<Run> {
  const [run] = await hydrateRuns(ctx.db, [await runRow(ctx.db, runId)]);
  return run as Run;
}

export async function updateRun(ctx: StoreContext, req: UpdateRunRequest): Promise<RunInfo> {
  return ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, req.run_id);
    const sets: string[] = [];
    const params: (string | number)[] = [];
    if (req.status !== undefined) {
      sets.push("status = ?");
      params.push(req.status);
    }
    if (req.end_time !== undefined) {
      sets.push("end_time = ?");
      params.push(req.end_time);
    }
    if (req.run_name) {
      sets.push("name = ?");
      params.push(req.run_name);
      await tx.upsertMany(
        "tags",
        ["key", "value", "run_uuid"],
        ["key", "run_uuid"],
        ["value"],
        [[RUN_NAME_TAG, req.run_name, req.run_id]],
      );
    }
    if (sets.length) await tx.run(`UPDATE runs SET ${sets.join(", ")} WHERE run_uuid = ?`, [...params, req.run_id]);
    return toRunInfo(await runRow(tx, req.run_id));
  });
}

export async function deleteRun(ctx: StoreContext, runId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await runRow(tx, runId);
    await tx.run("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?", [
      ctx.now(),
      runId,
    ]);
  });
}

export async function restoreRun(ctx: StoreContext, runId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await runRow(tx, runId);
    await tx.run("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?", [runId]);
  });
}
