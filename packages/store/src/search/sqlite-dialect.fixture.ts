/** Test-only SqlDialect for SQLite with `PRAGMA case_sensitive_like = true` (MLflow's setting). */
import type { SqlDialect } from "../sql/database.js";

export const sqliteTestDialect: SqlDialect = {
  name: "sqlite",
  compareString(column, op) {
    return op === "ILIKE" ? `lower(${column}) LIKE lower(?)` : `${column} ${op} ?`;
  },
  upsertLatestMetricSql: "",
};
