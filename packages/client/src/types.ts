/**
 * The entities the SDK returns: MLflow's wire shapes from @mlflow-ts/protocol (snake_case, as the
 * REST API and MLflow's other clients name them), with metric values decoded to numbers
 * (`"NaN"` and `"Infinity"` on the wire become `NaN` and `Infinity`).
 */
import type * as P from "@mlflow-ts/protocol";

export type {
  Dataset,
  DatasetInput,
  DatasetSummary,
  Experiment,
  FileInfo,
  KeyValue,
  LifecycleStage,
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelTag,
  RegistryAuditEntry,
  RunInfo,
  RunStatus,
  ViewType,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookStatus,
} from "@mlflow-ts/protocol";

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface RunData {
  metrics?: Metric[];
  params?: P.KeyValue[];
  tags?: P.KeyValue[];
}

export interface Run {
  info: P.RunInfo;
  data: RunData;
  inputs: P.RunInputs;
}

/** One page of a paged search. Pass `nextPageToken` back as `pageToken` for the next page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Tags, params and metrics given as plain objects, as MLflow's Python API takes dicts. */
export type StringMap = Record<string, string>;
