import { z } from "zod";
import { double, int64, keyValue, requiredString, runStatus, viewType } from "./wire-types.js";

/**
 * Request messages of MLflow's tracking service, as the server validates them. Unknown fields
 * are dropped. Run-scoped requests accept `run_id` or the legacy `run_uuid` and expose `run_id`.
 */

const str = () => z.string();
const strList = () => z.array(z.string());

/** `run_id` or, failing that, `run_uuid`; reported as missing `run_id` when neither is set. */
function withRunId<T extends z.ZodRawShape>(shape: T) {
  type Out = z.output<z.ZodObject<T>> & { run_id: string };
  return z
    .object({ run_id: str().optional(), run_uuid: str().optional(), ...shape })
    .superRefine((v, ctx) => {
      const ids = v as { run_id?: string; run_uuid?: string };
      if (!ids.run_id && !ids.run_uuid) ctx.addIssue({ code: "custom", path: ["run_id"], message: "missing" });
    })
    .transform((v): Out => {
      const { run_uuid, ...rest } = v as { run_id?: string; run_uuid?: string };
      return { ...rest, run_id: rest.run_id || run_uuid } as Out;
    });
}

export const CreateExperiment = z.lazy(() =>
  z.object({
    name: requiredString(),
    artifact_location: str().optional(),
    tags: z.array(keyValue()).optional(),
  }),
);
export const GetExperiment = z.lazy(() => z.object({ experiment_id: requiredString() }));
export const GetExperimentByName = z.lazy(() => z.object({ experiment_name: requiredString() }));
export const SearchExperiments = z.lazy(() =>
  z.object({
    max_results: int64().optional(),
    page_token: str().optional(),
    filter: str().optional(),
    order_by: strList().optional(),
    view_type: viewType().optional(),
  }),
);
export const ExperimentId = z.lazy(() => z.object({ experiment_id: requiredString() }));
export const UpdateExperiment = z.lazy(() => z.object({ experiment_id: requiredString(), new_name: requiredString() }));
export const SetExperimentTag = z.lazy(() =>
  z.object({
    experiment_id: requiredString(),
    key: requiredString(),
    value: str().optional(),
  }),
);
export const DeleteExperimentTag = z.lazy(() => z.object({ experiment_id: requiredString(), key: requiredString() }));

export const CreateRun = z.lazy(() =>
  z.object({
    experiment_id: str().optional(),
    user_id: str().optional(),
    run_name: str().optional(),
    start_time: int64().optional(),
    tags: z.array(keyValue()).optional(),
  }),
);
export const UpdateRun = z.lazy(() =>
  withRunId({
    status: runStatus().optional(),
    end_time: int64().optional(),
    run_name: str().optional(),
  }),
);
export const RunIdOnly = z.lazy(() => withRunId({}));
export const LogMetric = z.lazy(() =>
  withRunId({
    key: requiredString(),
    value: double(),
    timestamp: int64(),
    step: int64().optional(),
  }),
);
export const LogParam = z.lazy(() => withRunId({ key: requiredString(), value: str().optional() }));
export const SetTag = z.lazy(() => withRunId({ key: requiredString(), value: str().optional() }));
export const DeleteTag = z.lazy(() => withRunId({ key: requiredString() }));

const MetricIn = z.lazy(() =>
  z.object({
    key: requiredString(),
    value: double(),
    timestamp: int64(),
    step: int64().optional(),
  }),
);
/** A metric as MLflow's clients send it (numbers as JSON numbers), which MetricIn would copy unchanged. */
function isPlainMetric(m: unknown): m is z.output<typeof MetricIn> {
  if (typeof m !== "object" || m === null) return false;
  const { key, value, timestamp, step } = m as Record<string, unknown>;
  return (
    typeof key === "string" &&
    key !== "" &&
    typeof value === "number" &&
    Number.isSafeInteger(timestamp) &&
    (step === undefined || Number.isSafeInteger(step))
  );
}

/**
 * A batch's metrics: plain ones are taken as they are (a batch holds up to 1000, and copying each
 * through MetricIn was a tenth of log-batch's non-SQL time); anything else (numbers as strings,
 * "NaN", a missing field) goes through MetricIn, with its errors at `metrics[i]`.
 */
const metricList = () =>
  z.array(z.unknown()).transform((items, ctx) => {
    const out = new Array<z.output<typeof MetricIn>>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (isPlainMetric(item)) {
        out[i] = item;
        continue;
      }
      const parsed = MetricIn.safeParse(item);
      if (parsed.success) out[i] = parsed.data;
      else for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [i, ...issue.path] } as never);
    }
    return out;
  });

export const LogBatch = z.lazy(() =>
  withRunId({
    metrics: metricList().optional(),
    params: z.array(z.object({ key: requiredString(), value: str().optional() })).optional(),
    tags: z.array(z.object({ key: requiredString(), value: str().optional() })).optional(),
  }),
);
export const LogModel = z.lazy(() => withRunId({ model_json: requiredString() }));

const DatasetIn = z.lazy(() =>
  z.object({
    name: requiredString(),
    digest: requiredString(),
    source_type: requiredString(),
    source: requiredString(),
    schema: str().optional(),
    profile: str().optional(),
  }),
);
export const LogInputs = z.lazy(() =>
  withRunId({
    datasets: z
      .array(
        z.object({
          tags: z.array(z.object({ key: requiredString(), value: requiredString() })).optional(),
          dataset: DatasetIn,
        }),
      )
      .optional(),
  }),
);

export const SearchRuns = z.lazy(() =>
  z.object({
    experiment_ids: strList().optional(),
    filter: str().optional(),
    run_view_type: viewType().optional(),
    max_results: int64().optional(),
    order_by: strList().optional(),
    page_token: str().optional(),
  }),
);

export const ListArtifacts = z.lazy(() => withRunId({ path: str().optional(), page_token: str().optional() }));

export const GetMetricHistory = z.lazy(() =>
  withRunId({
    metric_key: requiredString(),
    max_results: int64().optional(),
    page_token: str().optional(),
  }),
);

export const GetMetricHistoryBulkInterval = z.lazy(() =>
  z.object({
    run_ids: z.array(z.string()).min(1),
    metric_key: requiredString(),
    start_step: int64().optional(),
    end_step: int64().optional(),
    max_results: int64().optional(),
  }),
);

export const GetMetricHistoryBulk = z.lazy(() =>
  z.object({
    run_id: z.array(z.string()).optional(),
    metric_key: str().optional(),
    max_results: int64().optional(),
  }),
);

export const SearchDatasets = z.lazy(() => z.object({ experiment_ids: strList().optional() }));

export const GetArtifactFile = z.lazy(() => withRunId({ path: requiredString() }));

/** mlflow-ts: `GET /mlflow-ts/experiments/keys`. */
export const ExperimentKeys = z.lazy(() =>
  z.object({
    experiment_id: requiredString(),
    run_view_type: viewType().optional(),
    contains: str().optional(),
    max_results: int64().optional(),
  }),
);
/** mlflow-ts: `POST /mlflow-ts/runs/move`. The id count (1..1000) is checked by the store. */
export const MoveRuns = z.lazy(() => z.object({ run_ids: strList().optional(), experiment_id: requiredString() }));
/** mlflow-ts: `POST /mlflow-ts/runs/delete-permanently`. */
export const DeleteRunsPermanently = z.lazy(() => z.object({ run_ids: strList().optional() }));

export type CreateExperimentRequest = z.output<typeof CreateExperiment>;
export type SearchExperimentsRequest = z.output<typeof SearchExperiments>;
export type CreateRunRequest = z.output<typeof CreateRun>;
export type UpdateRunRequest = z.output<typeof UpdateRun>;
export type LogBatchRequest = z.output<typeof LogBatch>;
export type LogInputsRequest = z.output<typeof LogInputs>;
export type SearchRunsRequest = z.output<typeof SearchRuns>;
export type MetricInput = z.output<typeof MetricIn>;
export type DatasetInputRequest = NonNullable<LogInputsRequest["datasets"]>[number];
