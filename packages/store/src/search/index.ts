/**
 * MLflow search grammar (runs and experiments) translated to SQL with `?` placeholders.
 *
 * Runs:
 *   SELECT runs.* FROM runs ${joinSql}
 *   WHERE runs.experiment_id IN (...) AND runs.lifecycle_stage IN (...) AND (${whereSql})
 *   ORDER BY ${orderSql} LIMIT ? OFFSET ?
 *   params: [...joinParams, ...experimentIds, ...stages, ...whereParams, limit, offset]
 * Experiments:
 *   SELECT * FROM experiments WHERE lifecycle_stage IN (...) AND (${whereSql})
 *   ORDER BY ${orderSql} LIMIT ? OFFSET ?
 * Registered models / model versions (prompts are excluded in `whereSql` unless asked for):
 *   SELECT * FROM registered_models WHERE ${whereSql} ORDER BY ${orderSql} LIMIT ? OFFSET ?
 *   SELECT * FROM model_versions WHERE current_stage <> 'Deleted_Internal' AND ${whereSql} ...
 * `whereSql` is "" when there is no filter (leave the `AND (...)` out then).
 */
import type { SqlDialect, SqlValue } from "../sql/database.js";
import { buildExperimentFilterSql, buildExperimentOrderSql } from "./experiment-filter-sql.js";
import { buildRegistryFilterSql, MODEL_VERSION_SEARCH, REGISTERED_MODEL_SEARCH } from "./registry-filter-sql.js";
import { buildModelVersionOrderSql, buildRegisteredModelOrderSql } from "./registry-order-sql.js";
import { buildRunFilterSql } from "./run-filter-sql.js";
import { buildRunOrderSql } from "./run-order-sql.js";

export { decodePageToken, encodePageToken } from "./page-token.js";

export interface RunSearchSql {
  /** LEFT JOINs needed by order_by (may be ""), placed right after `FROM runs`. */
  joinSql: string;
  joinParams: SqlValue[];
  /** Boolean SQL expression for the filter over `runs.` columns; "" when there is no filter. */
  whereSql: string;
  whereParams: SqlValue[];
  /** Full ORDER BY list, including the implicit start_time DESC and run_uuid ASC tie-breaks. */
  orderSql: string;
  /** See RunOrderSql.leadingMetric. */
  leadingMetric?: { key: string; ascending: boolean; valueSql: string };
}

/** Throws MlflowError INVALID_PARAMETER_VALUE for an invalid filter or order_by. */
export function buildRunSearchSql(
  filter: string | undefined,
  orderBy: readonly string[] | undefined,
  dialect: SqlDialect,
): RunSearchSql {
  const where = buildRunFilterSql(filter, dialect);
  const order = buildRunOrderSql(orderBy, dialect);
  return {
    joinSql: order.joinSql,
    joinParams: order.joinParams,
    whereSql: where.sql,
    whereParams: where.params,
    orderSql: order.orderSql,
    ...(order.leadingMetric ? { leadingMetric: order.leadingMetric } : {}),
  };
}

export interface ExperimentSearchSql {
  /** Boolean SQL expression over `experiments.` columns; "" when there is no filter. */
  whereSql: string;
  whereParams: SqlValue[];
  orderSql: string;
}

/** Throws MlflowError INVALID_PARAMETER_VALUE for an invalid filter or order_by. */
export function buildExperimentSearchSql(
  filter: string | undefined,
  orderBy: readonly string[] | undefined,
  dialect: SqlDialect,
): ExperimentSearchSql {
  const where = buildExperimentFilterSql(filter, dialect);
  return { whereSql: where.sql, whereParams: where.params, orderSql: buildExperimentOrderSql(orderBy) };
}

export interface RegistrySearchSql {
  /** Boolean SQL expression over the searched table; "" when nothing is filtered. */
  whereSql: string;
  whereParams: SqlValue[];
  orderSql: string;
}

/** Throws MlflowError INVALID_PARAMETER_VALUE for an invalid filter or order_by. */
export function buildRegisteredModelSearchSql(
  filter: string | undefined,
  orderBy: readonly string[] | undefined,
  dialect: SqlDialect,
): RegistrySearchSql {
  const where = buildRegistryFilterSql(filter, REGISTERED_MODEL_SEARCH, dialect);
  return { whereSql: where.sql, whereParams: where.params, orderSql: buildRegisteredModelOrderSql(orderBy) };
}

/** Throws MlflowError INVALID_PARAMETER_VALUE for an invalid filter or order_by. */
export function buildModelVersionSearchSql(
  filter: string | undefined,
  orderBy: readonly string[] | undefined,
  dialect: SqlDialect,
): RegistrySearchSql {
  const where = buildRegistryFilterSql(filter, MODEL_VERSION_SEARCH, dialect);
  return { whereSql: where.sql, whereParams: where.params, orderSql: buildModelVersionOrderSql(orderBy) };
}
