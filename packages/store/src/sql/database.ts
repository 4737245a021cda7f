/**
 * The store's view of a SQL database. Store code writes portable SQL with `?` placeholders and
 * asks the dialect for the few fragments that differ between databases; dialects own the driver,
 * placeholder rewriting, error translation and capability flags.
 */

export type SqlValue = string | number | bigint | null | Buffer;

export interface RunResult {
  changes: number;
  /** The generated key of an INSERT into a table with an auto-increment key. */
  lastInsertId?: number;
}

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Rows as arrays in column order: cheaper than objects for large result sets. */
  allRaw(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /**
   * The first column of every row as one flat array: no array or object per row, for large
   * single-column results (a million steps is a few MB instead of ~100 MB of garbage).
   */
  allColumn(sql: string, params?: readonly SqlValue[]): Promise<unknown[]>;
  /**
   * Inserts many rows into one table. `onConflict: "ignore"` skips rows that violate a unique
   * key. Implementations batch as their driver prefers (prepared statement loop, multi-row
   * VALUES, ...).
   */
  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: "error" | "ignore" },
  ): Promise<number>;
  /** Inserts or replaces rows by key: conflicting rows get `updateColumns` from the new row. */
  upsertMany(
    table: string,
    columns: readonly string[],
    keyColumns: readonly string[],
    updateColumns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void>;
}

export interface Database extends SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in one write transaction; commits when it resolves, rolls back when it throws.
   * Where writers are not serialized (PostgreSQL, MySQL), a transaction that loses a race with a
   * concurrent one (serialization failure, deadlock, a unique key the other just inserted) is
   * rolled back and `fn` runs again, so `fn` must only act through `tx` (or be safe to repeat).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of DDL statements separated by semicolons. */
  execScript(sql: string): Promise<void>;
  tableExists(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** SQL fragments that differ between databases. Every method returns SQL with `?` placeholders. */
export interface SqlDialect {
  readonly name: "sqlite" | "postgres" | "mysql";
  /**
   * A string comparison with MLflow's semantics: `=`, `!=` and `LIKE` are case-sensitive,
   * `ILIKE` is case-insensitive. Returns e.g. `col LIKE ?`; the caller binds one value.
   */
  compareString(column: string, op: "=" | "!=" | "LIKE" | "ILIKE"): string;
  /**
   * Upsert of one latest_metrics row that only replaces the stored row when the new
   * (step, timestamp, value) tuple is greater. Binds: key, value, timestamp, step, is_nan, run_uuid.
   */
  readonly upsertLatestMetricSql: string;
  /**
   * SQL expression rendering one metrics row (columns key, value, timestamp, step, is_nan, and
   * run_uuid when `withRunId`) as MLflow's JSON object text, doubles in round-trip form and NaN
   * as "NaN". Lets the database build large JSON bodies without materializing rows in JS.
   */
  metricJsonExpr(withRunId: boolean): string;
  /**
   * Aggregate that joins `expr` with commas, keeping the order of the rows of the ORDER BY ...
   * LIMIT sub-select it aggregates over.
   */
  orderedStringAgg(expr: string): string;
  /**
   * Wraps a text expression so the driver hands back its UTF-8 bytes (a Buffer) where that is
   * cheaper than a string (SQLite: no UTF-8 → UTF-16 → UTF-8 round trip for a response body);
   * the expression itself elsewhere. Callers accept either.
   */
  jsonBytes(expr: string): string;
  /**
   * Appended to a single-table SELECT inside a transaction to lock the rows it reads until the
   * transaction ends (` FOR UPDATE`); empty where writes are serialized anyway (SQLite). Used for
   * read-then-write sequences such as allocating the next model version number.
   */
  readonly forUpdate: string;
  /** Adapts the portable DDL of `schema/` (SQLite-flavored) to this database's types. */
  ddl(statement: string): string;
}
