/**
 * Translates a run-search order_by list into LEFT JOINs and an ORDER BY list.
 *
 * Each metric/param/tag key gets its own LEFT JOIN (alias `order_<n>`, key bound in joinParams;
 * the tables' primary keys guarantee at most one row per run and key). Every user key is
 * preceded by a flag expression so that missing values sort last in both directions (SQLite has
 * no NULLS LAST): metrics sort real values, then NaN, then missing. Then `runs.start_time DESC`
 * unless start_time was ordered explicitly, and `runs.run_uuid ASC` as the final tie-break.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import type { SqlDialect, SqlValue } from "../sql/database.js";
import { parseOrderByEntry } from "./order-by-parser.js";
import { pyList } from "./python-repr.js";
import { ORDERABLE_RUN_ATTRIBUTES, RUN_ATTRIBUTE_COLUMNS, resolveRunIdentifier } from "./run-clause.js";
import { compareString } from "./sql-builder.js";

export interface RunOrderSql {
  joinSql: string;
  joinParams: SqlValue[];
  orderSql: string;
  /**
   * Set when the first order_by entry is a metric: its key, direction and the SQL expression of
   * its (latest) value. Lets the store try a top-k plan driven by the metric's value index.
   */
  leadingMetric?: { key: string; ascending: boolean; valueSql: string };
}

const KEYED_TABLES = { metric: "latest_metrics", parameter: "params", tag: "tags" } as const;

export function buildRunOrderSql(orderBy: readonly string[] | undefined, dialect: SqlDialect): RunOrderSql {
  const joins: string[] = [];
  const joinParams: SqlValue[] = [];
  const terms: string[] = [];
  const seen = new Set<string>();
  let startTimeOrdered = false;
  let leadingMetric: RunOrderSql["leadingMetric"];

  for (const entry of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByEntry(entry);
    const { entity, key } = resolveRunIdentifier(identifier, ORDERABLE_RUN_ATTRIBUTES);
    const direction = ascending ? "ASC" : "DESC";
    if (entity === "attribute") {
      const column = `runs.${RUN_ATTRIBUTE_COLUMNS.get(key) ?? key}`;
      terms.push(`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`, `${column} ${direction}`);
      if (key === "start_time") startTimeOrdered = true;
    } else if (entity === "dataset") {
      throw MlflowError.invalidParameter(`Invalid identifier type '${entity}'`);
    } else {
      const alias = `order_${joins.length + 1}`;
      const keyCondition = compareString(dialect, `${alias}.key`, "=", key, joinParams);
      joins.push(`LEFT JOIN ${KEYED_TABLES[entity]} ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${keyCondition}`);
      const flag =
        entity === "metric"
          ? `CASE WHEN ${alias}.is_nan THEN 1 WHEN ${alias}.value IS NULL THEN 2 ELSE 0 END`
          : `CASE WHEN ${alias}.value IS NULL THEN 1 ELSE 0 END`;
      terms.push(flag, `${alias}.value ${direction}`);
      if (entity === "metric" && joins.length === 1 && terms.length === 2) {
        leadingMetric = { key, ascending, valueSql: `${alias}.value` };
      }
    }
    const field = `${entity}\u0000${key}`;
    if (seen.has(field)) {
      throw MlflowError.invalidParameter(`\`order_by\` contains duplicate fields: ${pyList(orderBy ?? [])}`);
    }
    seen.add(field);
  }

  if (!startTimeOrdered) terms.push("runs.start_time DESC");
  terms.push("runs.run_uuid ASC");
  return {
    joinSql: joins.join(" "),
    joinParams,
    orderSql: terms.join(", "),
    ...(leadingMetric ? { leadingMetric } : {}),
  };
}
