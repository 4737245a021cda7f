import type { RunInputs, WireDouble } from "@mlflow-ts/protocol";
import { MlflowError } from "../errors.js";
import { Transport, type TransportOptions } from "../http/transport.js";
import type {
  Dataset,
  DatasetSummary,
  Experiment,
  FileInfo,
  KeyValue,
  Metric,
  MetricWithRunId,
  Page,
  Run,
  RunInfo,
  RunStatus,
  StringMap,
  ViewType,
} from "../types.js";

/** MLflow's log-batch limits (tracking-api.md §6). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

const API = "/api/2.0/mlflow";

/** A metric point as `logBatch` takes it; `timestamp` defaults to now and `step` to 0. */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

export interface DatasetInputSpec {
  dataset: Dataset;
  /** Input tags, e.g. `{ "mlflow.data.context": "training" }`. */
  tags?: StringMap;
}

export interface SearchOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

/** Wire doubles to numbers ("NaN" → NaN). */
export function decodeDouble(v: WireDouble | string): number {
  // Number() reads "NaN", "Infinity" and "-Infinity" as MLflow writes them.
  return typeof v === "number" ? v : Number(v);
}

/** Numbers to wire doubles (NaN → "NaN"), as MLflow's JSON encoding requires. */
export function encodeDouble(v: number): WireDouble {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  return v;
}

interface WireRun {
  info: RunInfo;
  data?: {
    metrics?: { key: string; value: WireDouble; timestamp: number; step?: number }[];
    params?: KeyValue[];
    tags?: KeyValue[];
  };
  inputs?: RunInputs;
}

function decodeMetric(m: { key: string; value: WireDouble; timestamp: number; step?: number }): Metric {
  return { key: m.key, value: decodeDouble(m.value), timestamp: m.timestamp, step: m.step ?? 0 };
}

export function decodeRun(r: WireRun): Run {
  const data = { ...r.data };
  if (data.metrics) data.metrics = data.metrics.map(decodeMetric);
  return { info: r.info, data: data as Run["data"], inputs: r.inputs ?? {} };
}

export function toKeyValues(map: StringMap | undefined): KeyValue[] | undefined {
  if (!map) return undefined;
  return Object.entries(map).map(([key, value]) => ({ key, value: String(value) }));
}

/** Splits a batch into requests within MLflow's per-request limits, keeping order. */
export function chunkBatch(metrics: MetricPoint[], params: KeyValue[], tags: KeyValue[]) {
  const out: { metrics: MetricPoint[]; params: KeyValue[]; tags: KeyValue[] }[] = [];
  let m = 0;
  let p = 0;
  let t = 0;
  while (m < metrics.length || p < params.length || t < tags.length) {
    const ps = params.slice(p, p + BATCH_LIMITS.params);
    p += ps.length;
    const ts = tags.slice(t, t + Math.min(BATCH_LIMITS.tags, BATCH_LIMITS.total - ps.length));
    t += ts.length;
    const ms = metrics.slice(m, m + Math.min(BATCH_LIMITS.metrics, BATCH_LIMITS.total - ps.length - ts.length));
    m += ms.length;
    out.push({ metrics: ms, params: ps, tags: ts });
  }
  return out;
}

/**
 * The tracking half of {@link MlflowClient}: experiments, runs, metrics, params, tags, batches,
 * datasets and searches, one method per REST endpoint. Calls go straight to the server and
 * resolve when it has answered (the fluent API is the one that queues).
 */
export class TrackingClient {
  readonly transport: Transport;

  constructor(options: TransportOptions | Transport) {
    this.transport = options instanceof Transport ? options : new Transport(options);
  }

  /** The tracking URI this client talks to. */
  get trackingUri(): string {
    return this.transport.baseUrl;
  }

  // ---- experiments ----

  /** Creates an experiment and returns its id. */
  async createExperiment(name: string, options: { artifactLocation?: string; tags?: StringMap } = {}): Promise<string> {
    const r = await this.transport.post<{ experiment_id: string }>(`${API}/experiments/create`, {
      name,
      artifact_location: options.artifactLocation,
      tags: toKeyValues(options.tags),
    });
    return r.experiment_id;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return (
      await this.transport.get<{ experiment: Experiment }>(`${API}/experiments/get`, { experiment_id: experimentId })
    ).experiment;
  }

  /** The experiment with this name, or undefined when there is none (as MLflow returns None). */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return (
        await this.transport.get<{ experiment: Experiment }>(`${API}/experiments/get-by-name`, {
          experiment_name: name,
        })
      ).experiment;
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === "RESOURCE_DOES_NOT_EXIST") return undefined;
      throw e;
    }
  }

  async searchExperiments(options: SearchOptions & { viewType?: ViewType } = {}): Promise<Page<Experiment>> {
    const r = await this.transport.post<{ experiments?: Experiment[]; next_page_token?: string }>(
      `${API}/experiments/search`,
      {
        max_results: options.maxResults ?? 1000,
        filter: options.filter,
        order_by: options.orderBy,
        view_type: options.viewType,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    return page(r.experiments, r.next_page_token);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.transport.post(`${API}/experiments/delete`, { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.transport.post(`${API}/experiments/restore`, { experiment_id: experimentId });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.transport.post(
      `${API}/experiments/update`,
      { experiment_id: experimentId, new_name: newName },
      { idempotent: true },
    );
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.transport.post(
      `${API}/experiments/set-experiment-tag`,
      { experiment_id: experimentId, key, value },
      { idempotent: true },
    );
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.transport.post(`${API}/experiments/delete-experiment-tag`, { experiment_id: experimentId, key });
  }

  /** Datasets logged to runs of these experiments (name, digest, context). */
  async searchDatasets(experimentIds: string[]): Promise<DatasetSummary[]> {
    const r = await this.transport.post<{ dataset_summaries?: DatasetSummary[] }>(
      `${API}/experiments/search-datasets`,
      { experiment_ids: experimentIds },
      { idempotent: true },
    );
    return r.dataset_summaries ?? [];
  }

  // ---- runs ----

  async createRun(
    experimentId: string,
    options: { runName?: string; startTime?: number; tags?: StringMap; userId?: string } = {},
  ): Promise<Run> {
    const r = await this.transport.post<{ run: WireRun }>(`${API}/runs/create`, {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      tags: toKeyValues(options.tags),
      user_id: options.userId,
    });
    return decodeRun(r.run);
  }

  async getRun(runId: string): Promise<Run> {
    return decodeRun((await this.transport.get<{ run: WireRun }>(`${API}/runs/get`, { run_id: runId })).run);
  }

  async updateRun(
    runId: string,
    options: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    const r = await this.transport.post<{ run_info: RunInfo }>(
      `${API}/runs/update`,
      { run_id: runId, run_uuid: runId, status: options.status, end_time: options.endTime, run_name: options.runName },
      { idempotent: true },
    );
    return r.run_info;
  }

  /** Ends a run: sets its status (default FINISHED) and end time (default now). */
  async setTerminated(runId: string, status: RunStatus = "FINISHED", endTime: number = Date.now()): Promise<RunInfo> {
    return this.updateRun(runId, { status, endTime });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.transport.post(`${API}/runs/delete`, { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.transport.post(`${API}/runs/restore`, { run_id: runId });
  }

  /**
   * mlflow-ts: the distinct metric, param and tag keys of an experiment's runs
   * (`GET /api/2.0/mlflow-ts/experiments/keys`), optionally only those containing `contains`
   * (case-insensitive), each list capped at `maxResults` (default 1000).
   */
  async experimentKeys(
    experimentId: string,
    options: { runViewType?: ViewType; contains?: string; maxResults?: number } = {},
  ): Promise<{ metrics: string[]; params: string[]; tags: string[]; truncated: boolean }> {
    const r = await this.transport.get<{ metrics?: string[]; params?: string[]; tags?: string[]; truncated?: boolean }>(
      "/api/2.0/mlflow-ts/experiments/keys",
      {
        experiment_id: experimentId,
        run_view_type: options.runViewType,
        contains: options.contains,
        max_results: options.maxResults,
      },
    );
    return { metrics: r.metrics ?? [], params: r.params ?? [], tags: r.tags ?? [], truncated: r.truncated === true };
  }

  /**
   * mlflow-ts: moves runs to another experiment, all or nothing (`POST /api/2.0/mlflow-ts/runs/move`).
   * Runs keep their ids and artifacts; their dataset inputs follow them. Child runs are not
   * included implicitly: list them too. Resolves to how many runs changed experiment.
   */
  async moveRuns(runIds: string[], experimentId: string): Promise<number> {
    const r = await this.transport.post<{ moved_run_count?: number }>("/api/2.0/mlflow-ts/runs/move", {
      run_ids: runIds,
      experiment_id: experimentId,
    });
    return r.moved_run_count ?? 0;
  }

  /**
   * mlflow-ts: permanently deletes runs in the `deleted` stage with their artifacts
   * (`POST /api/2.0/mlflow-ts/runs/delete-permanently`); any run that is not deleted fails the
   * whole call. `artifactsLeft` lists runs whose artifacts the server could not remove.
   */
  async deleteRunsPermanently(
    runIds: string[],
  ): Promise<{ deletedRunIds: string[]; artifactsLeft: { run_id: string; artifact_uri: string; reason: string }[] }> {
    const r = await this.transport.post<{
      deleted_run_ids?: string[];
      artifacts_left?: { run_id: string; artifact_uri: string; reason: string }[];
    }>("/api/2.0/mlflow-ts/runs/delete-permanently", { run_ids: runIds });
    return { deletedRunIds: r.deleted_run_ids ?? [], artifactsLeft: r.artifacts_left ?? [] };
  }

  async searchRuns(
    experimentIds: string[],
    options: SearchOptions & { runViewType?: ViewType } = {},
  ): Promise<Page<Run>> {
    const r = await this.transport.post<{ runs?: WireRun[]; next_page_token?: string }>(
      `${API}/runs/search`,
      {
        experiment_ids: experimentIds,
        filter: options.filter,
        run_view_type: options.runViewType,
        max_results: options.maxResults ?? 1000,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    return page(r.runs?.map(decodeRun), r.next_page_token);
  }

  // ---- logging (direct; the fluent API queues) ----

  async logMetric(
    runId: string,
    key: string,
    value: number,
    options: { timestamp?: number; step?: number } = {},
  ): Promise<void> {
    await this.transport.post(
      `${API}/runs/log-metric`,
      {
        run_id: runId,
        run_uuid: runId,
        key,
        value: encodeDouble(value),
        timestamp: options.timestamp ?? Date.now(),
        step: options.step ?? 0,
      },
      { idempotent: true },
    );
  }

  async logParam(runId: string, key: string, value: unknown): Promise<void> {
    await this.transport.post(
      `${API}/runs/log-parameter`,
      { run_id: runId, run_uuid: runId, key, value: String(value) },
      { idempotent: true },
    );
  }

  async setTag(runId: string, key: string, value: unknown): Promise<void> {
    await this.transport.post(
      `${API}/runs/set-tag`,
      { run_id: runId, run_uuid: runId, key, value: String(value) },
      { idempotent: true },
    );
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.transport.post(`${API}/runs/delete-tag`, { run_id: runId, key });
  }

  /**
   * Logs metrics, params and tags in as few requests as MLflow's limits allow (1000 metrics,
   * 100 params, 100 tags, 1000 items per request), in order.
   */
  async logBatch(
    runId: string,
    batch: { metrics?: MetricPoint[]; params?: StringMap | KeyValue[]; tags?: StringMap | KeyValue[] },
  ): Promise<void> {
    const now = Date.now();
    const params = Array.isArray(batch.params) ? batch.params : (toKeyValues(batch.params) ?? []);
    const tags = Array.isArray(batch.tags) ? batch.tags : (toKeyValues(batch.tags) ?? []);
    for (const chunk of chunkBatch(batch.metrics ?? [], params, tags)) {
      await this.sendBatch(runId, chunk.metrics, chunk.params, chunk.tags, now);
    }
  }

  /** One log-batch request (the caller keeps it within the limits). */
  async sendBatch(
    runId: string,
    metrics: MetricPoint[],
    params: KeyValue[],
    tags: KeyValue[],
    now = Date.now(),
    maxRetries?: number,
  ): Promise<void> {
    await this.transport.post(
      `${API}/runs/log-batch`,
      {
        run_id: runId,
        metrics: metrics.map((m) => ({
          key: m.key,
          value: encodeDouble(m.value),
          timestamp: m.timestamp ?? now,
          step: m.step ?? 0,
        })),
        params,
        tags,
      },
      maxRetries === undefined ? { idempotent: true } : { idempotent: true, maxRetries },
    );
  }

  /** Records datasets used by a run (MLflow's log-inputs). */
  async logInputs(runId: string, datasets: DatasetInputSpec[]): Promise<void> {
    await this.transport.post(
      `${API}/runs/log-inputs`,
      { run_id: runId, datasets: datasets.map((d) => ({ dataset: d.dataset, tags: toKeyValues(d.tags) })) },
      { idempotent: true },
    );
  }

  /** Appends a logged model's MLmodel metadata to the run (`mlflow.log-model.history`). */
  async recordLoggedModel(runId: string, model: Record<string, unknown>): Promise<void> {
    await this.transport.post(`${API}/runs/log-model`, { run_id: runId, model_json: JSON.stringify(model) });
  }

  // ---- metric history ----

  /** Every point of one metric of a run (all pages). */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.transport.get<{ metrics?: Parameters<typeof decodeMetric>[0][]; next_page_token?: string }>(
        `${API}/metrics/get-history`,
        { run_id: runId, run_uuid: runId, metric_key: key, page_token: pageToken },
      );
      for (const m of r.metrics ?? []) out.push(decodeMetric(m));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /** Sampled history of one metric over up to 100 runs (MLflow's get-history-bulk-interval). */
  async getMetricHistoryBulkInterval(
    runIds: string[],
    key: string,
    options: { startStep?: number; endStep?: number; maxResults?: number } = {},
  ): Promise<MetricWithRunId[]> {
    const r = await this.transport.get<{ metrics?: (Parameters<typeof decodeMetric>[0] & { run_id: string })[] }>(
      `${API}/metrics/get-history-bulk-interval`,
      {
        run_ids: runIds,
        metric_key: key,
        start_step: options.startStep,
        end_step: options.endStep,
        max_results: options.maxResults,
      },
    );
    return (r.metrics ?? []).map((m) => ({ ...decodeMetric(m), run_id: m.run_id }));
  }

  /** The tracking server's listing of a run's artifacts (paths relative to the run's root). */
  async listRunArtifacts(runId: string, path?: string): Promise<{ rootUri: string; files: FileInfo[] }> {
    const r = await this.transport.get<{ root_uri?: string; files?: FileInfo[] }>(`${API}/artifacts/list`, {
      run_id: runId,
      run_uuid: runId,
      path,
    });
    return { rootUri: r.root_uri ?? "", files: r.files ?? [] };
  }
}

export function page<T>(items: T[] | undefined, token: string | undefined): Page<T> {
  return token ? { items: items ?? [], nextPageToken: token } : { items: items ?? [] };
}
