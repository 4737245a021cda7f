import { LIMITS, type Metric, MlflowError } from "@mlflow-ts/protocol";
import { decodePageToken, encodePageToken } from "../search/index.js";
import type { SqlValue } from "../sql/database.js";
import type { JsonChunk } from "../tracking-store.js";
import { chunks, placeholders, type StoreContext } from "./context.js";
import { type MetricRow, toMetric } from "./row-mappers.js";

const HISTORY_PAGE = 5_000;

/**
 * Every point of one metric in (step, timestamp, value) order, as JSON text in pages of
 * comma-separated `{"key","value","timestamp","step"}` objects. The database renders the JSON
 * (see `SqlDialect.metricJsonExpr`) and keyset pagination on the covering history index keeps
 * memory bounded for any history length.
 */
export async function* metricHistoryJsonPages(
  ctx: StoreContext,
  runId: string,
  key: string,
): AsyncGenerator<JsonChunk> {
  const d = ctx.db.dialect;
  const order = "ORDER BY step, timestamp, value, is_nan";
  const where = (after: boolean) =>
    `run_uuid = ? AND key = ?${after ? " AND (step, timestamp, value, is_nan) > (?, ?, ?, ?)" : ""}`;
  const pageSql = (after: boolean) =>
    `SELECT ${d.jsonBytes(d.orderedStringAgg(d.metricJsonExpr(false)))} AS json, count(*) AS n FROM
      (SELECT key, value, timestamp, step, is_nan FROM metrics WHERE ${where(after)} ${order} LIMIT ${HISTORY_PAGE}) page`;
  const lastSql = `SELECT step, timestamp, value, is_nan FROM metrics WHERE ${where(true)} ${order} LIMIT 1 OFFSET ${HISTORY_PAGE - 1}`;
  const firstLastSql = `SELECT step, timestamp, value, is_nan FROM metrics WHERE ${where(false)} ${order} LIMIT 1 OFFSET ${HISTORY_PAGE - 1}`;
  let cursor: unknown[] | undefined;
  for (;;) {
    const params = cursor ? [runId, key, ...cursor] : [runId, key];
    const row = (await ctx.db.allRaw(pageSql(cursor !== undefined), params as SqlValue[]))[0] as [
      JsonChunk | null,
      number,
    ];
    if (!row?.[0] || row[1] === 0) return;
    yield row[0];
    if (row[1] < HISTORY_PAGE) return;
    cursor = (await ctx.db.allRaw(cursor ? lastSql : firstLastSql, params as SqlValue[]))[0];
    if (!cursor) return;
  }
}

/** The paginated form (3.x clients send max_results / page_token). */
export async function getMetricHistoryPage(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<{ metrics: Metric[]; next_page_token?: string }> {
  const offset = decodePageToken(pageToken);
  if (maxResults !== undefined && maxResults < 1) {
    throw MlflowError.invalidParameter(
      `Invalid value for max_results. It must be a positive integer, but got ${maxResults}`,
    );
  }
  // unbounded is a huge LIMIT: portable (LIMIT -1 is SQLite-only, OFFSET needs a LIMIT there)
  const limit = maxResults === undefined ? Number.MAX_SAFE_INTEGER : maxResults + 1;
  const rows = await ctx.db.all<MetricRow>(
    "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value, is_nan LIMIT ? OFFSET ?",
    [runId, key, limit, offset],
  );
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

/**
 * Runs `SELECT <cols> FROM metrics WHERE ... ORDER BY ... LIMIT n` and returns its rows as JSON
 * objects joined by commas: text, or with `bytes` UTF-8 bytes where the dialect makes that cheaper
 * (for streamed bodies).
 */
async function renderJson(
  ctx: StoreContext,
  where: string,
  order: string,
  limit: number,
  params: SqlValue[],
  bytes: boolean,
): Promise<JsonChunk> {
  const d = ctx.db.dialect;
  const agg = d.orderedStringAgg(d.metricJsonExpr(true));
  const row = (
    await ctx.db.allRaw(
      `SELECT ${bytes ? d.jsonBytes(agg) : agg} AS json FROM
        (SELECT key, value, timestamp, step, is_nan, run_uuid FROM metrics WHERE ${where} ORDER BY ${order} LIMIT ${limit}) page`,
      params,
    )
  )[0];
  return (row?.[0] as JsonChunk | null) ?? "";
}

/**
 * MLflow's get-history-bulk-interval: points of the sampled steps, ordered by run id, step,
 * timestamp. Validates and samples eagerly (errors surface before any byte is sent), then yields
 * one JSON chunk per run, rendered by the database.
 */
export async function getMetricHistoryBulkIntervalJson(
  ctx: StoreContext,
  req: BulkIntervalRequest,
): Promise<AsyncIterable<JsonChunk>> {
  const runIds = [...new Set(req.run_ids)].sort();
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
  const rangeParams: SqlValue[] = start !== undefined ? [start, end as number] : [];
  const steps = (await ctx.db.allColumn(
    `SELECT DISTINCT step FROM metrics WHERE run_uuid IN ${placeholders(runIds.length)} AND key = ?${range} ORDER BY step`,
    [...runIds, req.metric_key, ...rangeParams],
  )) as number[];
  const chosen = sampleSteps(steps, max);
  const all = chosen.length === steps.length;
  const key = req.metric_key;
  return (async function* () {
    if (chosen.length === 0) return;
    for (const runId of runIds) {
      if (all) {
        yield await renderJson(
          ctx,
          `run_uuid = ? AND key = ?${range}`,
          "step, timestamp",
          ROW_GUARD,
          [runId, key, ...rangeParams],
          true,
        );
        continue;
      }
      for (const part of chunks(chosen, 500)) {
        yield await renderJson(
          ctx,
          `run_uuid = ? AND key = ? AND step IN ${placeholders(part.length)}`,
          "step, timestamp",
          ROW_GUARD,
          [runId, key, ...part],
          true,
        );
      }
    }
  })();
}

/** Upper bound on rows rendered in one chunk (the LIMIT also keeps the ordered sub-select un-flattened). */
const ROW_GUARD = 10_000_000;

/** MLflow's sampling: all steps when few enough, else a uniform stride plus the last step. */
export function sampleSteps(steps: readonly number[], max: number): number[] {
  if (steps.length <= max) return [...steps];
  const stride = steps.length / max;
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(steps[Math.floor(i * stride)] as number);
  picked.add(steps[steps.length - 1] as number);
  return [...picked].sort((a, b) => a - b);
}

/** The UI's get-history-bulk: every point of the runs, ordered by run, timestamp, step, value; JSON text. */
export async function getMetricHistoryBulkJson(
  ctx: StoreContext,
  runIds: readonly string[],
  key: string | undefined,
  maxResults: number | undefined,
): Promise<string> {
  if (runIds.length === 0)
    throw MlflowError.invalidParameter("GetMetricHistoryBulk request must specify at least one run_id.");
  if (runIds.length > 100) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  if (!key) throw MlflowError.invalidParameter("GetMetricHistoryBulk request must specify a metric_key.");
  const max = Math.min(maxResults ?? LIMITS.bulkHistoryMaxResults, LIMITS.bulkHistoryMaxResults);
  return (await renderJson(
    ctx,
    `key = ? AND run_uuid IN ${placeholders(runIds.length)}`,
    "run_uuid, timestamp, step, value",
    max,
    [key, ...runIds],
    false,
  )) as string;
}
