/** Test-only helpers shared by the search tests (not exported from the package). */
import assert from "node:assert/strict";
import { MlflowError } from "@mlflow-ts/protocol";
import { sqliteDialect } from "../dialects/sqlite.js";
import type { SqlDialect } from "../sql/database.js";
import { buildRunSearchSql } from "./index.js";

/** The production SQLite dialect (its connections run `PRAGMA case_sensitive_like = true`, MLflow's setting). */
export const sqliteTestDialect: SqlDialect = sqliteDialect;

/** Asserts that `fn` throws INVALID_PARAMETER_VALUE with exactly `message` (or matching it). */
export function assertInvalidParameter(fn: () => unknown, message: string | RegExp, label?: string): void {
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(e instanceof MlflowError, `not an MlflowError: ${String(e)}`);
      assert.equal(e.errorCode, "INVALID_PARAMETER_VALUE");
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
    label,
  );
}

/** The run-search WHERE condition and params for `filter`. */
export function runWhere(filter: string, dialect: SqlDialect = sqliteTestDialect): { sql: string; params: unknown[] } {
  const { whereSql, whereParams } = buildRunSearchSql(filter, undefined, dialect);
  return { sql: whereSql, params: whereParams };
}

export function assertRunFilterRejected(filter: string, message: string | RegExp): void {
  assertInvalidParameter(() => buildRunSearchSql(filter, undefined, sqliteTestDialect), message, filter);
}

/** Expected SQL shapes of run filter clauses (with sqliteTestDialect). */
const keyed = (table: string, cmp: string) =>
  `EXISTS (SELECT 1 FROM ${table} c WHERE c.run_uuid = runs.run_uuid AND c.key = ? AND ${cmp})`;
export const expectedRunSql = {
  metric: (op: string) => keyed("latest_metrics", `c.value ${op} ?`),
  param: (cmp = "c.value = ?") => keyed("params", cmp),
  tag: (cmp = "c.value = ?") => keyed("tags", cmp),
  datasetInputs:
    "FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.destination_id = runs.run_uuid " +
    "AND i.source_type = 'DATASET' AND i.destination_type = 'RUN'",
};
