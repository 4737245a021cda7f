import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MlflowError } from "@mlflow-ts/protocol";
import type BetterSqlite3 from "better-sqlite3";
import type { Database, RunResult, SqlDialect, SqlExecutor, SqlValue } from "../sql/database.js";
import { Mutex } from "../sql/mutex.js";
import { BackgroundCheckpointer } from "./sqlite-checkpointer.js";

/**
 * SQLite through better-sqlite3. One write connection (writes are serialized by a FIFO lock, so
 * concurrent requests never see "database is locked" from this process) and one read connection
 * (WAL lets reads run beside a write). Statements are prepared once and cached.
 */

export const sqliteDialect: SqlDialect = {
  name: "sqlite",
  compareString(column, op) {
    // case_sensitive_like is on for every connection, so LIKE is case-sensitive like MLflow's.
    if (op === "ILIKE") return `lower(${column}) LIKE lower(?)`;
    return `${column} ${op} ?`;
  },
  upsertLatestMetricSql: `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (key, run_uuid) DO UPDATE SET
  value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
  metricJsonExpr(withRunId) {
    // json_quote renders REALs in shortest round-trip form (SQLite >= 3.43).
    return `'{"key":' || json_quote(key) || ',"value":' || CASE WHEN is_nan THEN '"NaN"' ELSE json_quote(value) END || ',"timestamp":' || timestamp || ',"step":' || step${withRunId ? ` || ',"run_id":"' || run_uuid || '"'` : ""} || '}'`;
  },
  orderedStringAgg(expr) {
    // A sub-select with LIMIT is never flattened into an aggregate query, so its rows reach
    // group_concat in ORDER BY order; an ORDER BY inside the aggregate would sort them again.
    return `group_concat(${expr}, ',')`;
  },
  jsonBytes: (expr) => `CAST(${expr} AS BLOB)`,
  forUpdate: "",
  ddl: (statement) => statement,
};

type Conn = BetterSqlite3.Database;

interface PendingTransaction {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most transactions committed together; bounds the latency one commit adds to the first. */
const MAX_GROUP = 64;

/** Rows per multi-row INSERT: one statement step per chunk instead of one per row. */
const INSERT_CHUNK = 100;

const PRAGMAS = [
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "foreign_keys = ON",
  "busy_timeout = 20000",
  "case_sensitive_like = true",
  "cache_size = -32000",
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts); this is the writer's own fallback,
  // ~40 MB of WAL instead of SQLite's 4 MB, should the worker fall behind.
  "wal_autocheckpoint = 10000",
];

/** Prepared statements by SQL text, one cache per row shape (objects, arrays, first column). */
class StatementCache {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  private readonly rawCache = new Map<string, BetterSqlite3.Statement>();
  private readonly pluckCache = new Map<string, BetterSqlite3.Statement>();
  constructor(private readonly conn: Conn) {}
  get(sql: string): BetterSqlite3.Statement {
    return this.cached(this.cache, 500, sql, (st) => st);
  }
  getRaw(sql: string): BetterSqlite3.Statement {
    return this.cached(this.rawCache, 100, sql, (st) => st.raw(true));
  }
  getPluck(sql: string): BetterSqlite3.Statement {
    return this.cached(this.pluckCache, 100, sql, (st) => st.pluck(true));
  }
  private cached(
    map: Map<string, BetterSqlite3.Statement>,
    max: number,
    sql: string,
    shape: (st: BetterSqlite3.Statement) => BetterSqlite3.Statement,
  ): BetterSqlite3.Statement {
    let st = map.get(sql);
    if (!st) {
      st = shape(this.conn.prepare(sql));
      if (map.size > max) map.clear();
      map.set(sql, st);
    }
    return st;
  }
}

/** Executes against one connection, synchronously underneath. */
class SqliteExecutor implements SqlExecutor {
  constructor(protected readonly statements: StatementCache) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return wrap(() => this.statements.get(sql).all(...params) as T[]);
  }
  async allRaw(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return wrap(() => this.statements.getRaw(sql).all(...params) as unknown[][]);
  }
  async allColumn(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    return wrap(() => this.statements.getPluck(sql).all(...params) as unknown[]);
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return wrap(() => this.statements.get(sql).get(...params) as T | undefined);
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return wrap(() => {
      const r = this.statements.get(sql).run(...params);
      return { changes: r.changes, lastInsertId: Number(r.lastInsertRowid) };
    });
  }
  async insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: "error" | "ignore" },
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const verb = options?.onConflict === "ignore" ? "INSERT OR IGNORE" : "INSERT";
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    const head = `${verb} INTO ${table} (${columns.join(", ")}) VALUES `;
    return wrap(() => {
      let changes = 0;
      let i = 0;
      if (rows.length >= INSERT_CHUNK) {
        const chunk = this.statements.get(head + Array(INSERT_CHUNK).fill(tuple).join(", "));
        const params: SqlValue[] = new Array(INSERT_CHUNK * columns.length);
        for (; i + INSERT_CHUNK <= rows.length; i += INSERT_CHUNK) {
          let p = 0;
          for (let r = i; r < i + INSERT_CHUNK; r++) for (const v of rows[r] as readonly SqlValue[]) params[p++] = v;
          changes += chunk.run(params).changes;
        }
      }
      if (i < rows.length) {
        const one = this.statements.get(head + tuple);
        for (; i < rows.length; i++) changes += one.run(...(rows[i] as readonly SqlValue[])).changes;
      }
      return changes;
    });
  }
  async upsertMany(
    table: string,
    columns: readonly string[],
    keyColumns: readonly string[],
    updateColumns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const set = updateColumns.map((c) => `${c} = excluded.${c}`).join(", ");
    const sql = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (${keyColumns.join(", ")}) DO ${updateColumns.length ? `UPDATE SET ${set}` : "NOTHING"}`;
    wrap(() => {
      const st = this.statements.get(sql);
      for (const row of rows) st.run(...row);
    });
  }
}

class SqliteDatabase extends SqliteExecutor implements Database {
  readonly dialect = sqliteDialect;
  private readonly lock = new Mutex();
  private readonly writer: SqliteExecutor;

  constructor(
    private readonly writeConn: Conn,
    private readonly readConn: Conn,
    /** runs WAL checkpoints on a worker thread (file databases only) */
    readonly checkpointer?: BackgroundCheckpointer,
  ) {
    super(new StatementCache(readConn));
    this.writer = new SqliteExecutor(new StatementCache(writeConn));
  }

  override async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    const result = await this.lock.run(() => this.writer.run(sql, params));
    this.checkpointer?.afterCommit();
    return result;
  }

  override async insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: "error" | "ignore" },
  ): Promise<number> {
    return this.transaction((tx) => tx.insertMany(table, columns, rows, options));
  }

  override async upsertMany(
    table: string,
    columns: readonly string[],
    keyColumns: readonly string[],
    updateColumns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    return this.transaction((tx) => tx.upsertMany(table, columns, keyColumns, updateColumns, rows));
  }

  /**
   * Group commit: write transactions that queue up while one is running share a single
   * BEGIN ... COMMIT (the commit dominates the cost of a batch). Each keeps its own SAVEPOINT, so
   * one that throws rolls back only its own changes, and each resolves only after the shared
   * COMMIT has succeeded: an acknowledged write is a committed write.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject } as PendingTransaction);
      if (!this.draining) void this.drain();
    });
  }

  private readonly pending: PendingTransaction[] = [];
  private draining = false;

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        // let requests that already arrived reach the queue, so they join this commit
        await new Promise((r) => setImmediate(r));
        const group = this.pending.splice(0, MAX_GROUP);
        await this.lock.run(() => this.commitGroup(group));
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: PendingTransaction[]): Promise<void> {
    const conn = this.writeConn;
    try {
      wrap(() => conn.exec("BEGIN IMMEDIATE"));
    } catch (e) {
      for (const job of group) job.reject(e);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    for (const job of group) {
      conn.exec("SAVEPOINT mlflowts_tx");
      try {
        const value = await job.fn(this.writer);
        conn.exec("RELEASE mlflowts_tx");
        outcomes.push({ ok: true, value });
      } catch (e) {
        conn.exec("ROLLBACK TO mlflowts_tx");
        conn.exec("RELEASE mlflowts_tx");
        outcomes.push({ ok: false, value: e });
      }
    }
    try {
      wrap(() => conn.exec("COMMIT"));
    } catch (e) {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      for (const job of group) job.reject(e);
      return;
    }
    this.checkpointer?.afterCommit();
    group.forEach((job, i) => {
      const o = outcomes[i] as { ok: boolean; value: unknown };
      if (o.ok) job.resolve(o.value);
      else job.reject(o.value);
    });
  }

  async execScript(sql: string): Promise<void> {
    await this.lock.run(() => wrap(() => this.writeConn.exec(sql)));
  }

  async tableExists(name: string): Promise<boolean> {
    const row = await this.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
    return row !== undefined;
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    await this.lock.run(() => {
      if (this.readConn !== this.writeConn) this.readConn.close();
      this.writeConn.close();
    });
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translateSqliteError(e);
  }
}

function translateSqliteError(e: unknown): unknown {
  const code = (e as { code?: string }).code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return e;
  if (code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") {
    return new MlflowError("RESOURCE_ALREADY_EXISTS", `The entity already exists (${(e as Error).message}).`);
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is busy; retry the request.");
  }
  if (code === "SQLITE_FULL") return new MlflowError("RESOURCE_EXHAUSTED", "The database disk is full.");
  return e;
}

/** Parses `sqlite:///relative.db`, `sqlite:////abs/path.db`, `sqlite:///:memory:`, `sqlite://`. */
export function sqlitePathFromUri(uri: string): string {
  const m = /^sqlite(?:\+\w+)?:\/\/(.*)$/.exec(uri);
  if (!m) throw MlflowError.invalidParameter(`Not a SQLite URI: ${uri}`);
  let rest = (m[1] ?? "").replace(/\?.*$/, "");
  if (rest === "" || rest === "/" || rest === "/:memory:") return ":memory:";
  if (!rest.startsWith("/"))
    throw MlflowError.invalidParameter(`Invalid SQLite URI '${uri}': expected sqlite:///<path>`);
  rest = rest.slice(1); // sqlite:///rel.db -> rel.db ; sqlite:////abs -> /abs
  return decodeURIComponent(rest);
}

export async function openSqlite(uri: string): Promise<SqliteDatabase> {
  const { default: Sqlite } = await import("better-sqlite3");
  const path = sqlitePathFromUri(uri);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const open = (readonly: boolean): Conn => {
    const c = new Sqlite(path, { readonly: readonly && path !== ":memory:" });
    for (const p of readonly ? PRAGMAS.filter((x) => !x.startsWith("journal_mode")) : PRAGMAS) c.pragma(p);
    return c;
  };
  const writeConn = open(false);
  const readConn = path === ":memory:" ? writeConn : open(true);
  const checkpointer = path === ":memory:" ? undefined : new BackgroundCheckpointer(resolve(path));
  return new SqliteDatabase(writeConn, readConn, checkpointer);
}

export type { SqliteDatabase };
