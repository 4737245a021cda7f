/** Wire shapes of MLflow's tracking entities (proto JSON, snake_case, int64 as numbers). */

export type LifecycleStage = "active" | "deleted";
export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export interface KeyValue {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: LifecycleStage;
  last_update_time?: number;
  creation_time?: number;
  tags?: KeyValue[];
}

/** A metric value on the wire: a number, or "NaN" / "Infinity" / "-Infinity". */
export type WireDouble = number | "NaN" | "Infinity" | "-Infinity";

export interface Metric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics?: Metric[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: KeyValue[];
  dataset: Dataset;
}

export interface RunInputs {
  dataset_inputs?: DatasetInput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface DatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  context?: string;
}

/** Converts a JS double to its MLflow wire form. */
export function toWireDouble(v: number): WireDouble {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  return v;
}
