/**
 * A faster plan for run searches whose first order_by entry is a metric.
 *
 * The general plan visits every run of the searched experiments, evaluates the filter for each and
 * sorts the survivors: its cost grows with the experiment (~200 ms at 100k runs). Here the store
 * first reads the top `window` values of the metric from `ix_mlflowts_latest_metrics_value`
 * (every experiment, real values only), joins those runs, applies the experiment, lifecycle and
 * filter conditions and orders them with the full ORDER BY. The answer is exact when
 *   - the page is full, and
 *   - the window held every real value of the key, or the page's last value lies strictly
 *     inside the window's boundary value,
 * because then every run that sorts before the page's last row has a value inside the window.
 * Otherwise the caller falls back to the general plan, so results never depend on the window.
 * Cost: one bounded index range scan plus `window` run lookups.
 */
import type { Database, SqlValue } from "../sql/database.js";
import type { RunSearchSql } from "../search/index.js";
import { compareString } from "../search/sql-builder.js";
import { placeholders } from "./context.js";
import type { RunRow } from "./row-mappers.js";

/** The window is this many times the rows the page needs, and at least MIN_WINDOW. */
const WINDOW_FACTOR = 4;
const MIN_WINDOW = 1000;
/** Deeper pages than this use the general plan. */
const MAX_WINDOW = 50_000;

export interface TopKQuery {
  sql: RunSearchSql;
  experimentIds: readonly number[];
  stages: readonly string[];
  limit: number;
  offset: number;
}

/** Returns the page's rows, or undefined when the window cannot prove the answer exact. */
export async function searchRunsByMetricWindow(db: Database, q: TopKQuery): Promise<RunRow[] | undefined> {
  const leading = q.sql.leadingMetric;
  if (!leading) return undefined;
  const window = Math.max(MIN_WINDOW, WINDOW_FACTOR * (q.offset + q.limit));
  if (window > MAX_WINDOW) return undefined;
  const direction = leading.ascending ? "ASC" : "DESC";

  const boundaryParams: SqlValue[] = [];
  const boundaryKey = compareString(db.dialect, "key", "=", leading.key, boundaryParams);
  const boundary = await db.get<{ value: number }>(
    `SELECT value FROM latest_metrics WHERE ${boundaryKey} AND is_nan = FALSE
      ORDER BY value ${direction} LIMIT 1 OFFSET ?`,
    [...boundaryParams, window - 1],
  );

  const windowParams: SqlValue[] = [];
  const windowKey = compareString(db.dialect, "key", "=", leading.key, windowParams);
  const rows = await db.all<RunRow & { mlflowts_order_value: number | null }>(
    `SELECT runs.*, ${leading.valueSql} AS mlflowts_order_value
       FROM (SELECT run_uuid FROM latest_metrics WHERE ${windowKey} AND is_nan = FALSE
              ORDER BY value ${direction} LIMIT ?) window_runs
       JOIN runs ON runs.run_uuid = window_runs.run_uuid
       ${q.sql.joinSql}
      WHERE runs.experiment_id IN ${placeholders(q.experimentIds.length)}
        AND runs.lifecycle_stage IN ${placeholders(q.stages.length)}
        ${q.sql.whereSql ? `AND (${q.sql.whereSql})` : ""}
      ORDER BY ${q.sql.orderSql} LIMIT ? OFFSET ?`,
    [
      ...windowParams,
      window,
      ...q.sql.joinParams,
      ...q.experimentIds,
      ...q.stages,
      ...q.sql.whereParams,
      q.limit,
      q.offset,
    ],
  );
  if (rows.length < q.limit) return undefined;
  if (boundary !== undefined) {
    const last = rows[rows.length - 1]?.mlflowts_order_value;
    if (last === null || last === undefined) return undefined;
    const inside = leading.ascending ? last < boundary.value : last > boundary.value;
    if (!inside) return undefined;
  }
  return rows;
}
