import { MlflowError } from "@mlflow-ts/protocol";
import { AUTO_INCREMENT_COLUMNS, createdTable } from "../schema/auto-increment.js";
import type { SqlDialect } from "../sql/database.js";

/**
 * MySQL / MariaDB: SQL fragments, identifier quoting, DDL shape and error translation (no driver
 * here). The store's SQL is portable except for `key`, which is a reserved word on MySQL: it is
 * back-quoted wherever it is used as a name (`quoteReserved`), as SQLAlchemy does for MLflow.
 */

/** The shortest round-trip text MySQL/MariaDB give a DOUBLE, reshaped to what SQLite's json_quote prints. */
function doubleJson(col: string): string {
  const s = `CAST(${col} AS CHAR)`;
  const fixedTrim = `TRIM(TRAILING '0' FROM CAST(${s} AS DECIMAL(65,30)))`;
  const fixed = `IF(${fixedTrim} LIKE '%.', CONCAT(${fixedTrim}, '0'), ${fixedTrim})`;
  const exp = (x: string) =>
    `REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(${x}, '^(-?[0-9]+)e', '\\\\1.0e'), 'e([0-9])$', 'e+0\\\\1'), 'e([0-9][0-9]+)$', 'e+\\\\1'), 'e-([0-9])$', 'e-0\\\\1')`;
  const mant = `REGEXP_REPLACE(${s}, '^(-?)0\\\\.0*([1-9])([0-9]*)$', '\\\\1\\\\2.\\\\3')`;
  const small = `CONCAT(IF(${mant} LIKE '%.', CONCAT(${mant}, '0'), ${mant}), 'e-', LPAD(LENGTH(REGEXP_SUBSTR(${s}, '\\\\.0*')), 2, '0'))`;
  return `CASE WHEN ${col} = 0 THEN '0.0' WHEN ABS(${col}) >= 1e-4 AND ABS(${col}) < 1e17 THEN ${fixed} WHEN ${s} LIKE '%e%' THEN ${exp(s)} ELSE ${small} END`;
}

export const mysqlDialect: SqlDialect = {
  name: "mysql",
  compareString(column, op) {
    // Default collations compare case-insensitively; MLflow adds BINARY for =, != and LIKE.
    if (op === "ILIKE") return `LOWER(${column}) LIKE LOWER(?)`;
    return `${column} ${op === "!=" ? "<>" : op} BINARY ?`;
  },
  // ON DUPLICATE KEY UPDATE assigns left to right, so the comparison is taken once (into a
  // session variable) against the stored row before any column changes.
  upsertLatestMetricSql: `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
  is_nan = IF(@mlflowts_newer := ((VALUES(step), VALUES(timestamp), VALUES(value)) > (step, timestamp, value)), VALUES(is_nan), is_nan),
  value = IF(@mlflowts_newer, VALUES(value), value),
  timestamp = IF(@mlflowts_newer, VALUES(timestamp), timestamp),
  step = IF(@mlflowts_newer, VALUES(step), step)`,
  metricJsonExpr(withRunId) {
    return `CONCAT('{"key":', JSON_QUOTE(key), ',"value":', CASE WHEN is_nan THEN '"NaN"' ELSE ${doubleJson("value")} END, ',"timestamp":', timestamp, ',"step":', step${withRunId ? `, ',"run_id":"', run_uuid, '"'` : ""}, '}')`;
  },
  orderedStringAgg(expr) {
    return `GROUP_CONCAT(${expr} SEPARATOR ',')`;
  },
  jsonBytes: (expr) => expr,
  forUpdate: " FOR UPDATE",
  ddl: mysqlDdl,
};

/** MLflow's types on MySQL: AUTO_INCREMENT keys, DOUBLE values, MEDIUMTEXT dataset schemas. */
export function mysqlDdl(statement: string): string {
  const table = createdTable(statement);
  let out = statement;
  const auto = table ? AUTO_INCREMENT_COLUMNS[table] : undefined;
  if (auto) out = out.replace(new RegExp(`^(\\s*${auto} INTEGER NOT NULL)`, "m"), "$1 AUTO_INCREMENT");
  if (table === "datasets") out = out.replace(/\bdataset_schema TEXT\b/, "dataset_schema MEDIUMTEXT");
  return out.replace(/\bFLOAT\b/g, "DOUBLE");
}

const quotedCache = new Map<string, string>();

/** Back-quotes the reserved word `key` where it names a column, outside string literals. Cached. */
export function quoteReserved(sql: string): string {
  const cached = quotedCache.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === "`") {
      let end = i + 1;
      for (;;) {
        end = sql.indexOf(c, end);
        if (end < 0) {
          end = sql.length;
          break;
        }
        if (c !== "`" && sql[end - 1] === "\\") {
          end++;
          continue;
        }
        end++;
        break;
      }
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    let j = i;
    while (j < sql.length && !"'\"`".includes(sql[j] as string)) j++;
    out += sql.slice(i, j).replace(/(?<!(?:PRIMARY|FOREIGN|UNIQUE|DUPLICATE)\s+)(?<![\w$])key(?![\w$])/gi, "`key`");
    i = j;
  }
  if (quotedCache.size > 5000) quotedCache.clear();
  quotedCache.set(sql, out);
  return out;
}

export const RETRYABLE_ERRNOS = new Set([1213, 1205]);
export const DUPLICATE_ENTRY = 1062;
/** The errno a translated error came from (used by the transaction retry loop). */
export const errnoOf = new WeakMap<object, number>();

export function translateMysqlError(e: unknown): unknown {
  const errno = (e as { errno?: unknown }).errno;
  if (typeof errno !== "number") return e;
  const detail = (e as Error).message;
  let out: unknown = e;
  if (errno === DUPLICATE_ENTRY) {
    out = new MlflowError("RESOURCE_ALREADY_EXISTS", `The entity already exists (${detail}).`);
  } else if (RETRYABLE_ERRNOS.has(errno)) {
    out = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is busy; retry the request.");
  } else if (errno === 1406) {
    out = MlflowError.invalidParameter(`A value is too long for its database column (${detail}).`);
  } else if (errno === 1264 || errno === 1366 || errno === 1292) {
    out = MlflowError.invalidParameter(`Invalid value for the database (${detail}).`);
  } else if (errno === 1114 || errno === 1021) {
    out = new MlflowError("RESOURCE_EXHAUSTED", "The database is full.");
  } else if (errno === 2013 || errno === 2006 || errno === 1053) {
    out = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database connection was lost; retry the request.");
  }
  if (out !== e && typeof out === "object" && out !== null) errnoOf.set(out, errno);
  return out;
}
