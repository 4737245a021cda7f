/**
 * Translates a run-search filter into a boolean SQL expression over `runs`.
 *
 * Metric, param, tag, run-name and dataset clauses are correlated EXISTS sub-queries, so a run
 * lacking the key never matches (even for `!=`) and the clause means the same inside OR and
 * parentheses. Attribute clauses compare `runs` columns directly. Metrics compare the latest
 * value numerically; a NaN is stored as 0 and `is_nan` is not consulted, as in MLflow.
 */
import type { SqlDialect, SqlValue } from "../sql/database.js";
import { type FilterExpr, parseFilter } from "./filter-parser.js";
import { type DatasetKey, type RunClause, resolveRunClause } from "./run-clause.js";
import {
  compareString,
  integerComparison,
  placeholderList,
  renderBoolean,
  type StringComparator,
} from "./sql-builder.js";

export const RUN_NAME_TAG = "mlflow.runName";
export const DATASET_CONTEXT_TAG = "mlflow.data.context";

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
}

/** The run's inputs that come from datasets: FROM and WHERE of a dataset EXISTS. */
const DATASET_FROM = "FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id";
const DATASET_WHERE = "i.destination_id = runs.run_uuid AND i.source_type = 'DATASET' AND i.destination_type = 'RUN'";

class RunFilterRenderer {
  readonly params: SqlValue[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  private str(column: string, op: StringComparator, value: string): string {
    return compareString(this.dialect, column, op, value, this.params);
  }

  /** EXISTS over one key of a key/value child table (params, tags, latest_metrics). */
  private keyed(table: string, key: string, valueCondition: () => string): string {
    const keyCondition = this.str("c.key", "=", key);
    return `EXISTS (SELECT 1 FROM ${table} c WHERE c.run_uuid = runs.run_uuid AND ${keyCondition} AND ${valueCondition()})`;
  }

  private datasetColumn(key: DatasetKey): string {
    return key === "context" ? "it.value" : `d.${key}`;
  }

  /** EXISTS over the run's dataset inputs; `context` also joins the input's context tag. */
  private dataset(key: DatasetKey, condition: () => string): string {
    if (key !== "context") return `EXISTS (SELECT 1 ${DATASET_FROM} WHERE ${DATASET_WHERE} AND ${condition()})`;
    const tagName = this.str("it.name", "=", DATASET_CONTEXT_TAG);
    return (
      `EXISTS (SELECT 1 ${DATASET_FROM} JOIN input_tags it ON it.input_uuid = i.input_uuid ` +
      `WHERE ${DATASET_WHERE} AND ${tagName} AND ${condition()})`
    );
  }

  clause(clause: RunClause): string {
    switch (clause.kind) {
      case "metric":
        return this.keyed("latest_metrics", clause.key, () => {
          this.params.push(clause.value);
          return `c.value ${clause.op} ?`;
        });
      case "param":
        return this.keyed("params", clause.key, () => this.str("c.value", clause.op, clause.value));
      case "tag":
        return this.keyed("tags", clause.key, () => this.str("c.value", clause.op, clause.value));
      case "run-name":
        return this.keyed("tags", RUN_NAME_TAG, () => this.str("c.value", clause.op, clause.value));
      case "string-attribute":
        return this.str(`runs.${clause.column}`, clause.op, clause.value);
      case "numeric-attribute":
        return integerComparison(`runs.${clause.column}`, clause.op, clause.value, this.params);
      case "run-id-list":
        if (clause.values.length === 0) return clause.negate ? "1 = 1" : "1 = 0";
        return `runs.run_uuid ${clause.negate ? "NOT IN" : "IN"} ${placeholderList(clause.values, this.params)}`;
      case "dataset":
        return this.dataset(clause.key, () => this.str(this.datasetColumn(clause.key), clause.op, clause.value));
      case "dataset-list":
        // Spelled as =/!= through the dialect so list membership is case-sensitive everywhere.
        return this.dataset(clause.key, () => {
          const column = this.datasetColumn(clause.key);
          const op = clause.negate ? "!=" : "=";
          const parts = clause.values.map((v) => this.str(column, op, v));
          return `(${parts.join(clause.negate ? " AND " : " OR ")})`;
        });
    }
  }

  render(expr: FilterExpr): string {
    return renderBoolean(expr, (comparison) => this.clause(resolveRunClause(comparison)));
  }
}

/** The WHERE expression for a run-search filter; `sql` is "" when the filter is empty. */
export function buildRunFilterSql(filter: string | undefined, dialect: SqlDialect): SqlCondition {
  const expr = parseFilter(filter);
  if (expr === undefined) return { sql: "", params: [] };
  const renderer = new RunFilterRenderer(dialect);
  const sql = renderer.render(expr);
  return { sql, params: renderer.params };
}
