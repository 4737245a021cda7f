import type { DatasetInput, Experiment, KeyValue, Metric, Run, RunInfo, RunStatus } from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import { chunks, placeholders } from "./context.js";

export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
}

export interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number;
}

export interface MetricRow {
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: number;
  run_uuid: string;
}

export function toMetric(r: MetricRow): Metric {
  return { key: r.key, value: r.is_nan ? "NaN" : r.value, timestamp: r.timestamp ?? 0, step: r.step };
}

export function toExperiment(row: ExperimentRow, tags: KeyValue[]): Experiment {
  const e: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    lifecycle_stage: row.lifecycle_stage === "deleted" ? "deleted" : "active",
  };
  if (row.artifact_location !== null) e.artifact_location = row.artifact_location;
  if (row.last_update_time !== null) e.last_update_time = row.last_update_time;
  if (row.creation_time !== null) e.creation_time = row.creation_time;
  if (tags.length) e.tags = tags;
  return e;
}

export function toRunInfo(row: RunRow, runNameTag?: string): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name || runNameTag || "",
    experiment_id: String(row.experiment_id),
    status: (row.status ?? "RUNNING") as RunStatus,
    lifecycle_stage: row.lifecycle_stage === "deleted" ? "deleted" : "active",
  };
  if (row.user_id !== null) info.user_id = row.user_id;
  if (row.start_time !== null) info.start_time = row.start_time;
  if (row.end_time !== null) info.end_time = row.end_time;
  if (row.artifact_uri !== null) info.artifact_uri = row.artifact_uri;
  return info;
}

/** Loads experiment tags for many experiments with one query per chunk. */
export async function loadExperimentTags(db: SqlExecutor, ids: readonly number[]): Promise<Map<number, KeyValue[]>> {
  const out = new Map<number, KeyValue[]>();
  for (const part of chunks(ids, 1000)) {
    const rows = await db.all<{ key: string; value: string | null; experiment_id: number }>(
      `SELECT key, value, experiment_id FROM experiment_tags WHERE experiment_id IN ${placeholders(part.length)} ORDER BY key`,
      part,
    );
    for (const r of rows) push(out, r.experiment_id, { key: r.key, value: r.value ?? "" });
  }
  return out;
}

/**
 * Builds full Run objects for a page of run rows: latest metrics, params, tags and dataset
 * inputs are each loaded with one set-based query per chunk of run ids (no query per run).
 */
export async function hydrateRuns(db: SqlExecutor, rows: readonly RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const metrics = new Map<string, Metric[]>();
  const params = new Map<string, KeyValue[]>();
  const tags = new Map<string, KeyValue[]>();
  const inputs = new Map<string, DatasetInput[]>();
  // Raw rows and no ORDER BY: sorting each run's short lists in JS is cheaper than a temp B-tree
  // over the whole page in the database.
  for (const part of chunks(ids, 1000)) {
    const ph = placeholders(part.length);
    for (const [key, value, timestamp, step, isNan, runUuid] of (await db.allRaw(
      `SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics WHERE run_uuid IN ${ph}`,
      part,
    )) as [string, number, number | null, number, number, string][]) {
      push(metrics, runUuid, { key, value: isNan ? "NaN" : value, timestamp: timestamp ?? 0, step });
    }
    for (const [key, value, runUuid] of (await db.allRaw(
      `SELECT key, value, run_uuid FROM params WHERE run_uuid IN ${ph}`,
      part,
    )) as [string, string, string][]) {
      push(params, runUuid, { key, value });
    }
    for (const [key, value, runUuid] of (await db.allRaw(
      `SELECT key, value, run_uuid FROM tags WHERE run_uuid IN ${ph}`,
      part,
    )) as [string, string | null, string][]) {
      push(tags, runUuid, { key, value: value ?? "" });
    }
    await loadDatasetInputs(db, part, inputs);
  }
  for (const map of [metrics, params, tags]) for (const list of map.values()) list.sort(byKey);
  return rows.map((row) => {
    const runTags = tags.get(row.run_uuid) ?? [];
    const nameTag = row.name ? undefined : runTags.find((t) => t.key === "mlflow.runName")?.value;
    const data: Run["data"] = {};
    const m = metrics.get(row.run_uuid);
    const p = params.get(row.run_uuid);
    if (m) data.metrics = m;
    if (p) data.params = p;
    if (runTags.length) data.tags = runTags;
    const di = inputs.get(row.run_uuid);
    return { info: toRunInfo(row, nameTag), data, inputs: di ? { dataset_inputs: di } : {} };
  });
}

async function loadDatasetInputs(db: SqlExecutor, runIds: readonly string[], out: Map<string, DatasetInput[]>) {
  const rows = await db.all<{
    input_uuid: string;
    destination_id: string;
    name: string;
    digest: string;
    dataset_source_type: string;
    dataset_source: string;
    dataset_schema: string | null;
    dataset_profile: string | null;
  }>(
    `SELECT inputs.input_uuid, inputs.destination_id, datasets.name, datasets.digest, datasets.dataset_source_type,
            datasets.dataset_source, datasets.dataset_schema, datasets.dataset_profile
       FROM inputs JOIN datasets ON datasets.dataset_uuid = inputs.source_id
      WHERE inputs.destination_type = 'RUN' AND inputs.source_type = 'DATASET'
        AND inputs.destination_id IN ${placeholders(runIds.length)}
      ORDER BY inputs.destination_id, datasets.name, datasets.digest`,
    runIds,
  );
  if (rows.length === 0) return;
  const tagsByInput = new Map<string, KeyValue[]>();
  for (const part of chunks(
    rows.map((r) => r.input_uuid),
    500,
  )) {
    for (const t of await db.all<{ input_uuid: string; name: string; value: string }>(
      `SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN ${placeholders(part.length)} ORDER BY name`,
      part,
    )) {
      push(tagsByInput, t.input_uuid, { key: t.name, value: t.value });
    }
  }
  for (const r of rows) {
    const dataset: DatasetInput["dataset"] = {
      name: r.name,
      digest: r.digest,
      source_type: r.dataset_source_type,
      source: r.dataset_source,
    };
    if (r.dataset_schema !== null) dataset.schema = r.dataset_schema;
    if (r.dataset_profile !== null) dataset.profile = r.dataset_profile;
    const input: DatasetInput = { dataset };
    const t = tagsByInput.get(r.input_uuid);
    if (t) input.tags = t;
    push(out, r.destination_id, input);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
