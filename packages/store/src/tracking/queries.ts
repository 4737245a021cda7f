import {
  type DatasetSummary,
  LIMITS,
  type Metric,
  type MetricWithRunId,
  MlflowError,
  type Run,
  type SearchRunsRequest,
} from "@mlflow-ts/protocol";
import { buildRunSearchSql, decodePageToken, encodePageToken } from "../search/index.js";
import { chunks, experimentIdNumber, placeholders, type StoreContext } from "./context.js";
import { stagesFor } from "./experiments.js";
import { hydrateRuns, type MetricRow, type RunRow, toMetric } from "./row-mappers.js";

export interface SearchRunsResult {
  runs: Run[];
  next_page_token?: string;
}

export async function searchRuns(ctx: StoreContext, req: SearchRunsRequest): Promise<SearchRunsResult> {
  const max = req.max_results ?? LIMITS.searchRunsDefaultMaxResults;
  if (max > LIMITS.searchRunsMaxResults) {
    throw MlflowError.invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${LIMITS.searchRunsMaxResults}, but got value ${max}`,
    );
  }
  if (max < 0) {
    throw MlflowError.invalidParameter(
      `Invalid value for request parameter max_results. It must be non-negative, but got value ${max}`,
    );
  }
  const offset = decodePageToken(req.page_token);
  const sql = buildRunSearchSql(req.filter, req.order_by, ctx.db.dialect);
  const expIds = (req.experiment_ids ?? []).map(experimentIdNumber).filter((n): n is number => n !== undefined);
  if (expIds.length === 0 || max === 0) return { runs: [] };
  const stages = stagesFor(req.run_view_type);
  const rows = await ctx.db.all<RunRow>(
    `SELECT runs.* FROM runs ${sql.joinSql}
      WHERE runs.experiment_id IN ${placeholders(expIds.length)} AND runs.lifecycle_stage IN ${placeholders(stages.length)}
      ${sql.whereSql ? `AND (${sql.whereSql})` : ""}
      ORDER BY ${sql.orderSql} LIMIT ? OFFSET ?`,
    [...sql.joinParams, ...expIds, ...stages, ...sql.whereParams, max, offset],
  );
  const runs = await hydrateRuns(ctx.db, rows);
  return rows.length === max ? { runs, next_page_token: encodePageToken(offset + max) } : { runs };
}

export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults?: number,
  pageToken?: string,
): Promise<{ metrics: Metric[]; next_page_token?: string }> {
  const offset = decodePageToken(pageToken);
  const base =
    "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value";
  if (maxResults === undefined && offset === 0) {
    const rows = await ctx.db.all<MetricRow>(base, [runId, key]);
    return { metrics: rows.map(toMetric) };
  }
  if (maxResults !== undefined && maxResults < 1) {
    throw MlflowError.invalidParameter(
      `Invalid value for max_results. It must be a positive integer, but got ${maxResults}`,
    );
  }
  const limit = maxResults ?? -1;
  const rows = await ctx.db.all<MetricRow>(`${base} LIMIT ? OFFSET ?`, [
    runId,
    key,
    limit === -1 ? Number.MAX_SAFE_INTEGER : limit + 1,
    offset,
  ]);
  if (maxResults !== undefined && rows.length > maxResults) {
    return { metrics: rows.slice(0, maxResults).map(toMetric), next_page_token: encodePageToken(offset + maxResults) };
  }
  return { metrics: rows.map(toMetric) };
}

export interface BulkIntervalRequest {
  run_ids: string[];
  metric_key: string;
  start_step?: number | undefined;
  end_step?: number | undefined;
  max_results?: number | undefined;
}

export async function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  req: BulkIntervalRequest,
): Promise<MetricWithRunId[]> {
  const runIds = [...new Set(req.run_ids)];
  if (runIds.length > LIMITS.bulkIntervalMaxRunIds) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${LIMITS.bulkIntervalMaxRunIds} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  const { start_step: start, end_step: end } = req;
  if ((start === undefined) !== (end === undefined)) {
    throw MlflowError.invalidParameter("If either start step or end step are specified, both must be specified.");
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw MlflowError.invalidParameter(
      `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
    );
  }
  const max = req.max_results ?? LIMITS.bulkIntervalMaxResults;
  if (max < 1 || max > LIMITS.bulkIntervalMaxResults) {
    throw MlflowError.invalidParameter(
      `max_results must be between 1 and ${LIMITS.bulkIntervalMaxResults}. Received ${max}.`,
    );
  }
  const range = start !== undefined ? " AND step >= ? AND step <= ?" : "";
  const rangeParams = start !== undefined ? [start, end as number] : [];
  const ph = placeholders(runIds.length);
  const steps = (
    await ctx.db.all<{ step: number }>(
      `SELECT DISTINCT step FROM metrics WHERE run_uuid IN ${ph} AND key = ?${range} ORDER BY step`,
      [...runIds, req.metric_key, ...rangeParams],
    )
  ).map((r) => r.step);
  const chosen = sampleSteps(steps, max);
  if (chosen.length === 0) return [];
  const out: MetricWithRunId[] = [];
  for (const part of chunks(chosen, 900)) {
    const rows = await ctx.db.all<MetricRow>(
      `SELECT key, value, timestamp, step, is_nan, run_uuid FROM metrics
        WHERE run_uuid IN ${ph} AND key = ? AND step IN ${placeholders(part.length)}
        ORDER BY run_uuid, step, timestamp`,
      [...runIds, req.metric_key, ...part],
    );
    for (const r of rows) out.push({ ...toMetric(r), run_id: r.run_uuid });
  }
  out.sort((a, b) =>
    a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : a.step - b.step || a.timestamp - b.timestamp,
  );
  return out;
}

/** MLflow's sampling: all steps when few enough, else a uniform stride plus the last step. */
export function sampleSteps(steps: readonly number[], max: number): number[] {
  if (steps.length <= max) return [...steps];
  const stride = steps.length / max;
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(steps[Math.floor(i * stride)] as number);
  picked.add(steps[steps.length - 1] as number);
  return [...picked].sort((a, b) => a - b);
}

export async function getMetricHistoryBulk(
  ctx: StoreContext,
  runIds: readonly string[],
  key: string | undefined,
  maxResults: number | undefined,
): Promise<MetricWithRunId[]> {
  if (runIds.length === 0)
    throw MlflowError.invalidParameter("GetMetricHistoryBulk request must specify at least one run_id.");
  if (runIds.length > 100) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  if (!key) throw MlflowError.invalidParameter("GetMetricHistoryBulk request must specify a metric_key.");
  const max = Math.min(maxResults ?? LIMITS.bulkHistoryMaxResults, LIMITS.bulkHistoryMaxResults);
  const rows = await ctx.db.all<MetricRow>(
    `SELECT key, value, timestamp, step, is_nan, run_uuid FROM metrics WHERE key = ? AND run_uuid IN ${placeholders(runIds.length)}
      ORDER BY run_uuid, timestamp, step, value LIMIT ?`,
    [key, ...runIds, max],
  );
  return rows.map((r) => ({ ...toMetric(r), run_id: r.run_uuid }));
}

export async function searchDatasets(ctx: StoreContext, experimentIds: readonly string[]): Promise<DatasetSummary[]> {
  if (experimentIds.length === 0 || experimentIds.length > LIMITS.searchDatasetsMaxExperiments) {
    throw MlflowError.invalidParameter(
      `SearchDatasets request must specify between 1 and ${LIMITS.searchDatasetsMaxExperiments} experiment_ids. Received ${experimentIds.length}.`,
    );
  }
  const ids = experimentIds.map(experimentIdNumber).filter((n): n is number => n !== undefined);
  if (ids.length === 0) return [];
  const rows = await ctx.db.all<{ experiment_id: number; name: string; digest: string; context: string | null }>(
    `SELECT DISTINCT datasets.experiment_id, datasets.name, datasets.digest, input_tags.value AS context
       FROM datasets
       JOIN inputs ON inputs.source_id = datasets.dataset_uuid AND inputs.source_type = 'DATASET'
       LEFT JOIN input_tags ON input_tags.input_uuid = inputs.input_uuid AND input_tags.name = 'mlflow.data.context'
      WHERE datasets.experiment_id IN ${placeholders(ids.length)}
      ORDER BY datasets.experiment_id, datasets.name, datasets.digest
      LIMIT 1000`,
    ids,
  );
  return rows.map((r) => {
    const s: DatasetSummary = { experiment_id: String(r.experiment_id), name: r.name, digest: r.digest };
    if (r.context !== null) s.context = r.context;
    return s;
  });
}
