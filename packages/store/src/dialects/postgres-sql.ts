import { MlflowError } from "@mlflow-ts/protocol";
import { AUTO_INCREMENT_COLUMNS, createdTable } from "../schema/auto-increment.js";
import type { SqlDialect } from "../sql/database.js";

/**
 * PostgreSQL's SQL fragments, placeholder rewriting and error translation (no driver here, so
 * the fragments can be tested and imported without loading `pg`).
 */

/**
 * A double in the text form SQLite's `json_quote` gives the same value, from PostgreSQL's
 * shortest round-trip `float8` text (extra_float_digits > 0): fixed notation with a `.0` for
 * integral values when 1e-4 <= |v| < 1e17, else `<mantissa>.<digits>e±XX`. PostgreSQL prints
 * fixed notation itself below 1e15 (the common case, no conversion); 1e15..1e17 goes through
 * numeric. Digits are the shortest that round-trip (SQLite falls back to 17 digits for some
 * values, e.g. 1/3, where this prints 16: the same double either way).
 */
function doubleJson(col: string): string {
  const text = `(${col})::text`;
  const viaNumeric = `(${col})::text::numeric::text`;
  const withPoint = (t: string) => `CASE WHEN strpos(${t}, '.') > 0 THEN ${t} ELSE ${t} || '.0' END`;
  return `CASE WHEN ${col} = 0 THEN '0.0' WHEN abs(${col}) >= 1e-4 AND abs(${col}) < 1e15 THEN ${withPoint(text)} WHEN abs(${col}) >= 1e15 AND abs(${col}) < 1e17 THEN ${withPoint(viaNumeric)} ELSE regexp_replace(${text}, '^(-?[0-9]+)e', '\\1.0e') END`;
}

export const postgresDialect: SqlDialect = {
  name: "postgres",
  compareString(column, op) {
    // PostgreSQL compares text case-sensitively (=, !=, LIKE) and has ILIKE, as MLflow uses them.
    return `${column} ${op} ?`;
  },
  upsertLatestMetricSql: `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (key, run_uuid) DO UPDATE SET
  value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
  metricJsonExpr(withRunId) {
    return `'{"key":' || to_json(key::text)::text || ',"value":' || CASE WHEN is_nan THEN '"NaN"' ELSE ${doubleJson("value")} END || ',"timestamp":' || timestamp || ',"step":' || step${withRunId ? ` || ',"run_id":"' || run_uuid || '"'` : ""} || '}'`;
  },
  orderedStringAgg(expr) {
    // A plain aggregate over an ordered sub-select consumes its rows in that order.
    return `string_agg(${expr}, ',')`;
  },
  // bytea would come back hex-encoded and be decoded in JS: text is cheaper here
  jsonBytes: (expr) => expr,
  forUpdate: " FOR UPDATE",
  ddl: postgresDdl,
};

/** MLflow's types on PostgreSQL: SERIAL keys, native booleans (no CHECK), double precision. */
export function postgresDdl(statement: string): string {
  const table = createdTable(statement);
  let out = statement;
  const auto = table ? AUTO_INCREMENT_COLUMNS[table] : undefined;
  if (auto) out = out.replace(new RegExp(`^(\\s*${auto}) INTEGER NOT NULL`, "m"), "$1 SERIAL NOT NULL");
  return out
    .replace(/,\s*CHECK \(is_nan IN \(0, 1\)\)/g, "")
    .replace(/\bBOOLEAN DEFAULT '0'/g, "BOOLEAN DEFAULT false")
    .replace(/\bFLOAT\b/g, "DOUBLE PRECISION");
}

const numberedCache = new Map<string, string>();

/** `?` → `$1, $2, ...`, leaving string literals, quoted identifiers and comments alone. Cached. */
export function numberedPlaceholders(sql: string): string {
  const cached = numberedCache.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (numberedCache.size > 5000) numberedCache.clear();
  numberedCache.set(sql, out);
  return out;
}

/** SQLSTATEs after which a transaction is worth running again. */
export const RETRYABLE_STATES = new Set(["40001", "40P01"]);
export const UNIQUE_VIOLATION = "23505";

/** The SQLSTATE a translated error came from (used by the transaction retry loop). */
export const sqlStateOf = new WeakMap<object, string>();

export function translatePgError(e: unknown): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return e;
  const detail = (e as Error).message;
  let out: unknown = e;
  if (code === UNIQUE_VIOLATION) {
    out = new MlflowError("RESOURCE_ALREADY_EXISTS", `The entity already exists (${detail}).`);
  } else if (RETRYABLE_STATES.has(code) || code === "55P03") {
    out = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is busy; retry the request.");
  } else if (code === "22001") {
    out = MlflowError.invalidParameter(`A value is too long for its database column (${detail}).`);
  } else if (code === "22003" || code === "22P02") {
    out = MlflowError.invalidParameter(`Invalid value for the database (${detail}).`);
  } else if (code === "53100") {
    out = new MlflowError("RESOURCE_EXHAUSTED", "The database disk is full.");
  } else if (code.startsWith("08") || code === "57P01" || code === "57P03") {
    out = new MlflowError("TEMPORARILY_UNAVAILABLE", "The database connection was lost; retry the request.");
  }
  if (out !== e && typeof out === "object" && out !== null) sqlStateOf.set(out, code);
  return out;
}
