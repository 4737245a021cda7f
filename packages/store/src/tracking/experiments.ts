import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type CreateExperimentRequest,
  type Experiment,
  LIMITS,
  MlflowError,
  type SearchExperimentsRequest,
  type ViewType,
} from "@mlflow-ts/protocol";
import { buildExperimentSearchSql, decodePageToken, encodePageToken } from "../search/index.js";
import type { SqlExecutor } from "../sql/database.js";
import { appendToUri, experimentIdNumber, placeholders, type StoreContext } from "./context.js";
import { type ExperimentRow, loadExperimentTags, toExperiment } from "./row-mappers.js";
import { validateArtifactLocation, validateExperimentName, validateExperimentTag } from "./validation.js";

export function stagesFor(view: ViewType | undefined): string[] {
  if (view === "DELETED_ONLY") return ["deleted"];
  if (view === "ALL") return ["active", "deleted"];
  return ["active"];
}

/** Local paths become absolute `file://` URIs, as MLflow stores them. */
export function resolveArtifactLocation(location: string): string {
  if (/^[a-zA-Z][\w+.-]*:/.test(location) && !/^[a-zA-Z]:[\\/]/.test(location)) return location;
  return pathToFileURL(resolve(location)).href;
}

export async function experimentRow(db: SqlExecutor, id: string): Promise<ExperimentRow> {
  const n = experimentIdNumber(id);
  const row =
    n === undefined ? undefined : await db.get<ExperimentRow>("SELECT * FROM experiments WHERE experiment_id = ?", [n]);
  if (!row) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
  return row;
}

export async function requireActiveExperiment(db: SqlExecutor, id: string): Promise<ExperimentRow> {
  const row = await experimentRow(db, id);
  if (row.lifecycle_stage !== "active") {
    throw MlflowError.invalidParameter(
      `The experiment ${id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

async function withTags(db: SqlExecutor, row: ExperimentRow): Promise<Experiment> {
  const tags = await loadExperimentTags(db, [row.experiment_id]);
  return toExperiment(row, tags.get(row.experiment_id) ?? []);
}

export async function createExperiment(ctx: StoreContext, req: CreateExperimentRequest): Promise<string> {
  validateExperimentName(req.name);
  if (req.artifact_location) validateArtifactLocation(req.artifact_location);
  const tags = req.tags ?? [];
  for (const t of tags) validateExperimentTag(t.key, t.value ?? "");
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get("SELECT experiment_id FROM experiments WHERE name = ?", [req.name]);
    if (existing) throw MlflowError.alreadyExists(`Experiment(name=${req.name}) already exists.`);
    const location = req.artifact_location ? resolveArtifactLocation(req.artifact_location) : null;
    const res = await tx.run(
      "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, 'active', ?, ?)",
      [req.name, location, now, now],
    );
    const id = res.lastInsertId;
    if (id === undefined) throw new Error("database did not report the new experiment id");
    if (location === null) {
      await tx.run("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?", [
        appendToUri(ctx.defaultArtifactRoot, String(id)),
        id,
      ]);
    }
    if (tags.length) {
      await tx.upsertMany(
        "experiment_tags",
        ["key", "value", "experiment_id"],
        ["key", "experiment_id"],
        ["value"],
        tags.map((t) => [t.key, t.value ?? "", id]),
      );
    }
    return String(id);
  });
}

export async function getExperiment(ctx: StoreContext, id: string): Promise<Experiment> {
  return withTags(ctx.db, await experimentRow(ctx.db, id));
}

export async function getExperimentByName(ctx: StoreContext, name: string): Promise<Experiment> {
  const row = await ctx.db.get<ExperimentRow>(
    "SELECT * FROM experiments WHERE name = ? ORDER BY CASE WHEN lifecycle_stage = 'active' THEN 0 ELSE 1 END LIMIT 1",
    [name],
  );
  if (!row) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
  return withTags(ctx.db, row);
}

export async function searchExperiments(
  ctx: StoreContext,
  req: SearchExperimentsRequest,
): Promise<{ experiments: Experiment[]; next_page_token?: string }> {
  const max = req.max_results ?? LIMITS.searchExperimentsDefaultMaxResults;
  if (max < 1) {
    throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${max}`);
  }
  if (max > LIMITS.searchExperimentsMaxResults) {
    throw MlflowError.invalidParameter(
      `Invalid value for max_results. It must be at most ${LIMITS.searchExperimentsMaxResults}, but got ${max}`,
    );
  }
  const offset = decodePageToken(req.page_token);
  const { whereSql, whereParams, orderSql } = buildExperimentSearchSql(req.filter, req.order_by, ctx.db.dialect);
  const stages = stagesFor(req.view_type);
  const rows = await ctx.db.all<ExperimentRow>(
    `SELECT * FROM experiments WHERE lifecycle_stage IN ${placeholders(stages.length)}${whereSql ? ` AND (${whereSql})` : ""} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
    [...stages, ...whereParams, max + 1, offset],
  );
  const page = rows.slice(0, max);
  const tags = await loadExperimentTags(
    ctx.db,
    page.map((r) => r.experiment_id),
  );
  const experiments = page.map((r) => toExperiment(r, tags.get(r.experiment_id) ?? []));
  return rows.length > max ? { experiments, next_page_token: encodePageToken(offset + max) } : { experiments };
}

export async function deleteExperiment(ctx: StoreContext, id: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const row = await experimentRow(tx, id);
    if (row.lifecycle_stage !== "active") throw MlflowError.notFound(`No Experiment with id=${id} exists`);
    await tx.run("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?", [
      now,
      row.experiment_id,
    ]);
    await tx.run("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ?", [
      now,
      row.experiment_id,
    ]);
  });
}

export async function restoreExperiment(ctx: StoreContext, id: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const row = await experimentRow(tx, id);
    if (row.lifecycle_stage !== "deleted") {
      throw MlflowError.notFound(`Cannot restore an active experiment. Experiment with id=${id} is not deleted.`);
    }
    await tx.run("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?", [
      now,
      row.experiment_id,
    ]);
    await tx.run("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ?", [
      row.experiment_id,
    ]);
  });
}

export async function renameExperiment(ctx: StoreContext, id: string, newName: string): Promise<void> {
  validateExperimentName(newName);
  await ctx.db.transaction(async (tx) => {
    const row = await experimentRow(tx, id);
    if (row.lifecycle_stage !== "active") {
      throw new MlflowError("INVALID_STATE", "Cannot rename a non-active experiment.");
    }
    if (row.name === newName) return;
    const clash = await tx.get("SELECT 1 AS x FROM experiments WHERE name = ?", [newName]);
    if (clash) throw MlflowError.alreadyExists(`Experiment(name=${newName}) already exists.`);
    await tx.run("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?", [
      newName,
      ctx.now(),
      row.experiment_id,
    ]);
  });
}

export async function setExperimentTag(ctx: StoreContext, id: string, key: string, value: string): Promise<void> {
  validateExperimentTag(key, value);
  await ctx.db.transaction(async (tx) => {
    const row = await requireActiveExperiment(tx, id);
    await tx.upsertMany(
      "experiment_tags",
      ["key", "value", "experiment_id"],
      ["key", "experiment_id"],
      ["value"],
      [[key, value, row.experiment_id]],
    );
  });
}

export async function deleteExperimentTag(ctx: StoreContext, id: string, key: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const row = await requireActiveExperiment(tx, id);
    const res = await tx.run("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", [
      row.experiment_id,
      key,
    ]);
    if (res.changes === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${id}`);
    }
  });
}
