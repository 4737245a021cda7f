import { type DatasetSummary, LIMITS, MlflowError, type Run, type SearchRunsRequest } from "@mlflow-ts/protocol";
import { buildRunSearchSql, decodePageToken, encodePageToken } from "../search/index.js";
import { experimentIdNumber, placeholders, type StoreContext } from "./context.js";
import { stagesFor } from "./experiments.js";
import { hydrateRuns, type RunRow } from "./row-mappers.js";
import { searchRunsByMetricWindow } from "./search-runs-topk.js";

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
  const rows =
    (await searchRunsByMetricWindow(ctx.db, { sql, experimentIds: expIds, stages, limit: max, offset })) ??
    (await ctx.db.all<RunRow>(
      `SELECT runs.* FROM runs ${sql.joinSql}
      WHERE runs.experiment_id IN ${placeholders(expIds.length)} AND runs.lifecycle_stage IN ${placeholders(stages.length)}
      ${sql.whereSql ? `AND (${sql.whereSql})` : ""}
      ORDER BY ${sql.orderSql} LIMIT ? OFFSET ?`,
      [...sql.joinParams, ...expIds, ...stages, ...sql.whereParams, max, offset],
    ));
  const runs = await hydrateRuns(ctx.db, rows);
  return rows.length === max ? { runs, next_page_token: encodePageToken(offset + max) } : { runs };
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
