import { randomUUID } from "node:crypto";
import { type DatasetInputRequest, LIMITS, MAX_DOUBLE, type MetricInput, MlflowError } from "@mlflow-ts/protocol";
import type { SqlExecutor, SqlValue } from "../sql/database.js";
import { placeholders, type StoreContext } from "./context.js";
import { requireActiveRun, RUN_NAME_TAG } from "./runs.js";
import {
  validateBatchLimits,
  validateKey,
  validateLength,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunTag,
} from "./validation.js";

export interface KeyValueIn {
  key: string;
  value?: string | undefined;
}

export interface BatchOptions {
  /** Error wording of the single-param endpoint instead of log-batch's. */
  singleParam?: boolean;
  /** Skip log-batch's item-count limits (used by single-item endpoints). */
  skipLimits?: boolean;
}

/** A metric value as stored: NaN as 0 with is_nan, ±Infinity as ±max double. */
function storedValue(v: number): [number, number] {
  if (Number.isNaN(v)) return [0, 1];
  if (v === Number.POSITIVE_INFINITY) return [MAX_DOUBLE, 0];
  if (v === Number.NEGATIVE_INFINITY) return [-MAX_DOUBLE, 0];
  return [v, 0];
}

/**
 * Logs params, metrics and tags to a run in one transaction: everything is validated first,
 * and a conflicting param rolls back the whole request, so a rejected batch changes nothing.
 */
export async function logBatch(
  ctx: StoreContext,
  runId: string,
  metrics: readonly MetricInput[],
  params: readonly KeyValueIn[],
  tags: readonly KeyValueIn[],
  options: BatchOptions = {},
): Promise<void> {
  if (!options.skipLimits) validateBatchLimits(metrics.length, params.length, tags.length);
  validateRunId(runId);
  const paramKeys = new Set<string>();
  const dupes = new Set<string>();
  params.forEach((p, i) => {
    validateParam(p.key, p.value ?? "", options.skipLimits ? "params" : `params[${i}]`);
    if (paramKeys.has(p.key)) dupes.add(p.key);
    paramKeys.add(p.key);
  });
  if (dupes.size) {
    throw MlflowError.invalidParameter(
      `Duplicate parameter keys have been submitted: [${[...dupes].map((k) => `'${k}'`).join(", ")}]. Please ensure the request contains only one param value per param key.`,
    );
  }
  // a batch repeats few keys: each distinct key is checked once, every timestamp each time
  const checkedKeys = new Set<string>();
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as MetricInput;
    if (checkedKeys.has(m.key) && m.timestamp >= 0) continue;
    validateMetric(m.key, m.timestamp, options.skipLimits ? "" : `metrics[${i}]`);
    checkedKeys.add(m.key);
  }
  const tagMap = new Map<string, string>();
  tags.forEach((t, i) => {
    validateRunTag(t.key, t.value ?? "", options.skipLimits ? "tags" : `tags[${i}]`);
    tagMap.set(t.key, t.value ?? "");
  });

  const metricRows: SqlValue[][] = new Array(metrics.length);
  const latest = new Map<string, SqlValue[]>();
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as MetricInput;
    const [value, isNan] = storedValue(m.value);
    const step = m.step ?? 0;
    const row: SqlValue[] = [m.key, value, m.timestamp, step, isNan, runId];
    metricRows[i] = row;
    const best = latest.get(m.key);
    if (!best || isGreater(step, m.timestamp, value, best)) latest.set(m.key, row);
  }

  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId);
    if (params.length) await writeParams(tx, runId, params, options.singleParam === true);
    if (metricRows.length) {
      await tx.insertMany("metrics", ["key", "value", "timestamp", "step", "is_nan", "run_uuid"], metricRows, {
        onConflict: "ignore",
      });
      // in key order, so concurrent batches lock latest_metrics rows in the same order (no deadlock)
      const keys = [...latest.keys()].sort();
      for (const k of keys) await tx.run(ctx.db.dialect.upsertLatestMetricSql, latest.get(k) as SqlValue[]);
    }
    if (tagMap.size) {
      await tx.upsertMany(
        "tags",
        ["key", "value", "run_uuid"],
        ["key", "run_uuid"],
        ["value"],
        [...tagMap].map(([k, v]) => [k, v, runId]),
      );
      const newName = tagMap.get(RUN_NAME_TAG);
      if (newName !== undefined) await tx.run("UPDATE runs SET name = ? WHERE run_uuid = ?", [newName, runId]);
    }
  });
}

function isGreater(step: number, timestamp: number, value: number, best: SqlValue[]): boolean {
  const [, bValue, bTimestamp, bStep] = best as [string, number, number, number];
  if (step !== bStep) return step > bStep;
  if (timestamp !== bTimestamp) return timestamp > bTimestamp;
  return value > bValue;
}

async function writeParams(tx: SqlExecutor, runId: string, params: readonly KeyValueIn[], single: boolean) {
  const keys = params.map((p) => p.key);
  const existing = new Map<string, string>();
  for (const r of await tx.all<{ key: string; value: string }>(
    `SELECT key, value FROM params WHERE run_uuid = ? AND key IN ${placeholders(keys.length)}`,
    [runId, ...keys],
  )) {
    existing.set(r.key, r.value);
  }
  const conflicts: { key: string; old_value: string; new_value: string }[] = [];
  const fresh: SqlValue[][] = [];
  for (const p of params) {
    const value = p.value ?? "";
    const old = existing.get(p.key);
    if (old === undefined) fresh.push([p.key, value, runId]);
    else if (old !== value) conflicts.push({ key: p.key, old_value: old, new_value: value });
  }
  if (conflicts.length) {
    const c = conflicts[0] as (typeof conflicts)[number];
    if (single) {
      throw MlflowError.invalidParameter(
        `Changing param values is not allowed. Param with key='${c.key}' was already logged with value='${c.old_value}' for run ID='${runId}'. Attempted logging new value '${c.new_value}'.`,
      );
    }
    const list = conflicts
      .map((x) => `{'key': '${x.key}', 'old_value': '${x.old_value}', 'new_value': '${x.new_value}'}`)
      .join(", ");
    throw MlflowError.invalidParameter(
      `Changing param values is not allowed. Params were already logged='[${list}]' for run ID='${runId}'.`,
    );
  }
  await tx.insertMany("params", ["key", "value", "run_uuid"], fresh);
}

export async function deleteTag(ctx: StoreContext, runId: string, key: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId);
    const res = await tx.run("DELETE FROM tags WHERE run_uuid = ? AND key = ?", [runId, key]);
    if (res.changes === 0) throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`);
  });
}

const MODEL_KEYS = ["artifact_path", "flavors", "utc_time_created", "run_id"];

export async function logModel(ctx: StoreContext, runId: string, modelJson: string): Promise<void> {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw MlflowError.invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
  }
  if (model === null || typeof model !== "object" || Array.isArray(model)) {
    throw MlflowError.invalidParameter("Malformed model info: model_json must be a JSON object.");
  }
  const missing = MODEL_KEYS.filter((k) => !(k in (model as object)));
  if (missing.length) {
    throw MlflowError.invalidParameter(
      `Model json is missing mandatory fields: [${missing.map((k) => `'${k}'`).join(", ")}]`,
    );
  }
  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId);
    const row = await tx.get<{ value: string | null }>("SELECT value FROM tags WHERE run_uuid = ? AND key = ?", [
      runId,
      "mlflow.log-model.history",
    ]);
    let history: unknown[] = [];
    try {
      const parsed: unknown = row?.value ? JSON.parse(row.value) : [];
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
    history.push(model);
    const value = JSON.stringify(history);
    validateLength(value, LIMITS.runTagValueLength, "Tag value", "mlflow.log-model.history");
    await tx.upsertMany(
      "tags",
      ["key", "value", "run_uuid"],
      ["key", "run_uuid"],
      ["value"],
      [["mlflow.log-model.history", value, runId]],
    );
  });
}

export async function logInputs(
  ctx: StoreContext,
  runId: string,
  datasets: readonly DatasetInputRequest[],
): Promise<void> {
  validateRunId(runId);
  const unique = new Map<string, DatasetInputRequest>();
  datasets.forEach((d, i) => {
    const p = `datasets[${i}]`;
    validateLength(d.dataset.name, LIMITS.datasetNameLength, "Dataset name", `${p}.dataset.name`);
    validateLength(d.dataset.digest, LIMITS.datasetDigestLength, "Dataset digest", `${p}.dataset.digest`);
    validateLength(d.dataset.source, LIMITS.datasetSourceLength, "Dataset source", `${p}.dataset.source`);
    validateLength(d.dataset.schema ?? "", LIMITS.datasetSchemaLength, "Dataset schema", `${p}.dataset.schema`);
    validateLength(d.dataset.profile ?? "", LIMITS.datasetProfileLength, "Dataset profile", `${p}.dataset.profile`);
    for (const t of d.tags ?? []) {
      validateKey(t.key, "Input tag", `${p}.tags.key`);
      validateLength(t.key, LIMITS.inputTagKeyLength, "Input tag key", `${p}.tags.key`);
      validateLength(t.value, LIMITS.inputTagValueLength, "Input tag value", `${p}.tags.value`);
    }
    const k = `${d.dataset.name}\u0000${d.dataset.digest}`;
    if (!unique.has(k)) unique.set(k, d);
  });
  if (unique.size === 0) return;
  await ctx.db.transaction(async (tx) => {
    const run = await requireActiveRun(tx, runId);
    for (const d of unique.values()) {
      const ds = d.dataset;
      let row = await tx.get<{ dataset_uuid: string }>(
        "SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
        [run.experiment_id, ds.name, ds.digest],
      );
      if (!row) {
        row = { dataset_uuid: randomUUID().replaceAll("-", "") };
        await tx.run(
          `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            row.dataset_uuid,
            run.experiment_id,
            ds.name,
            ds.digest,
            ds.source_type,
            ds.source,
            ds.schema ?? null,
            ds.profile ?? null,
          ],
        );
      }
      const link = await tx.get(
        "SELECT 1 AS x FROM inputs WHERE source_type = 'DATASET' AND source_id = ? AND destination_type = 'RUN' AND destination_id = ?",
        [row.dataset_uuid, runId],
      );
      if (link) continue;
      const inputUuid = randomUUID().replaceAll("-", "");
      await tx.run(
        "INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES (?, 'DATASET', ?, 'RUN', ?)",
        [inputUuid, row.dataset_uuid, runId],
      );
      const tags = new Map((d.tags ?? []).map((t) => [t.key, t.value]));
      await tx.insertMany(
        "input_tags",
        ["input_uuid", "name", "value"],
        [...tags].map(([k, v]) => [inputUuid, k, v]),
      );
    }
  });
}
