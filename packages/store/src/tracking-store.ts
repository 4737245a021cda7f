import type {
  CreateExperimentRequest,
  CreateRunRequest,
  DatasetInputRequest,
  DatasetSummary,
  Experiment,
  Metric,
  MetricInput,
  Run,
  RunInfo,
  SearchExperimentsRequest,
  SearchRunsRequest,
  UpdateRunRequest,
  ViewType,
} from "@mlflow-ts/protocol";
import type { KeyValueIn } from "./tracking/logging.js";
import type { BulkIntervalRequest } from "./tracking/metric-history.js";
import type { ExperimentKeys } from "./tracking/experiment-keys.js";
import type { SearchRunsResult } from "./tracking/queries.js";

/** A piece of a JSON response body: UTF-8 bytes, or text. */
export type JsonChunk = string | Uint8Array;
import type { PurgeableRun } from "./tracking/run-maintenance.js";

/** MLflow's tracking store: what the server's handlers call. Implemented by SqlTrackingStore. */
export interface TrackingStore {
  createExperiment(req: CreateExperimentRequest): Promise<string>;
  getExperiment(id: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  searchExperiments(req: SearchExperimentsRequest): Promise<{ experiments: Experiment[]; next_page_token?: string }>;
  deleteExperiment(id: string): Promise<void>;
  restoreExperiment(id: string): Promise<void>;
  renameExperiment(id: string, newName: string): Promise<void>;
  setExperimentTag(id: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(id: string, key: string): Promise<void>;

  createRun(req: CreateRunRequest): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(req: UpdateRunRequest): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;

  logMetric(runId: string, metric: MetricInput): Promise<void>;
  logParam(runId: string, key: string, value: string): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(
    runId: string,
    metrics: readonly MetricInput[],
    params: readonly KeyValueIn[],
    tags: readonly KeyValueIn[],
  ): Promise<void>;
  logModel(runId: string, modelJson: string): Promise<void>;
  logInputs(runId: string, datasets: readonly DatasetInputRequest[]): Promise<void>;

  searchRuns(req: SearchRunsRequest): Promise<SearchRunsResult>;
  /**
   * Every point of one metric as JSON pages of comma-separated metric objects (bounded memory):
   * UTF-8 bytes or text, as the dialect renders them cheapest.
   */
  metricHistoryJsonPages(runId: string, key: string): AsyncIterable<JsonChunk>;
  /** Paginated history (max_results / page_token), as MLflow 3.x's handler offers. */
  getMetricHistoryPage(
    runId: string,
    key: string,
    maxResults?: number,
    pageToken?: string,
  ): Promise<{ metrics: Metric[]; next_page_token?: string }>;
  /** get-history-bulk-interval as JSON chunks (comma-separated metric objects with run_id). */
  getMetricHistoryBulkIntervalJson(req: BulkIntervalRequest): Promise<AsyncIterable<JsonChunk>>;
  /** The UI's get-history-bulk as comma-separated metric objects with run_id. */
  getMetricHistoryBulkJson(
    runIds: readonly string[],
    key: string | undefined,
    maxResults: number | undefined,
  ): Promise<string>;
  searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]>;

  /** mlflow-ts: distinct metric/param/tag keys of an experiment's runs (tracking/experiment-keys.ts). */
  experimentKeys(
    experimentId: string,
    options?: { viewType?: ViewType | undefined; contains?: string | undefined; maxResults?: number | undefined },
  ): Promise<ExperimentKeys>;

  // mlflow-ts run maintenance (tracking/run-maintenance.ts)
  /** Moves runs to an active experiment, all or nothing; returns how many changed experiment. */
  moveRuns(runIds: readonly string[], experimentId: string): Promise<number>;
  /** The deleted runs with these ids (unknown → RESOURCE_DOES_NOT_EXIST, not deleted → INVALID_STATE). */
  runsForPermanentDelete(runIds: readonly string[]): Promise<PurgeableRun[]>;
  /** Every deleted run, optionally deleted before a time (ms) or within some experiments. */
  listDeletedRuns(options?: { deletedBefore?: number; experimentIds?: readonly string[] }): Promise<PurgeableRun[]>;
  /** Removes deleted runs' rows in one transaction (artifacts are the caller's). */
  deleteRunsPermanently(runIds: readonly string[]): Promise<number>;
  /** Deleted experiments `mlflow-ts gc` would remove (listed ones checked, or all; optionally last updated before). */
  deletedExperimentsForGc(options?: { experimentIds?: readonly string[]; updatedBefore?: number }): Promise<string[]>;
  /** Removes deleted experiments that have no runs left (tags, datasets, traces, the row). */
  deleteExperimentsPermanently(experimentIds: readonly string[]): Promise<void>;

  close(): Promise<void>;
}
