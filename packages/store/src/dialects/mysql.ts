import { MlflowError } from "@mlflow-ts/protocol";
import type * as mysql from "mysql2/promise";
import type { Database, RunResult, SqlExecutor, SqlValue } from "../sql/database.js";
import {
  DUPLICATE_ENTRY,
  errnoOf,
  mysqlDialect,
  quoteReserved,
  RETRYABLE_ERRNOS,
  translateMysqlError,
} from "./mysql-sql.js";

/**
 * MySQL and MariaDB through `mysql2` (loaded on first use). A pool; each transaction holds one
 * connection. Sessions run in READ COMMITTED (like PostgreSQL's default: a row lock taken with
 * FOR UPDATE is followed by reads of the latest committed rows) with NO_AUTO_VALUE_ON_ZERO (MLflow's
 * Default experiment has id 0). Values are sent with the driver's client-side escaping (`query`):
 * MySQL's server-side prepared statements reject JS numbers for LIMIT.
 */

const MAX_ROWS_PER_INSERT = 1_000;
const MAX_ATTEMPTS = 6;
const MAX_DUPLICATE_ATTEMPTS = 3;

type Queryable = mysql.Pool | mysql.PoolConnection;

function toParams(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === "bigint" ? p.toString() : p));
}

class MysqlExecutor implements SqlExecutor {
  constructor(protected readonly conn: Queryable) {}

  protected async query(sql: string, params: readonly SqlValue[], rowsAsArray = false): Promise<unknown> {
    try {
      const [result] = await this.conn.query({ sql: quoteReserved(sql), rowsAsArray }, toParams(params));
      return result;
    } catch (e) {
      throw translateMysqlError(e);
    }
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)) as T[];
  }
  async allRaw(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return (await this.query(sql, params, true)) as unknown[][];
  }
  async allColumn(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    return (await this.allRaw(sql, params)).map((r) => r[0]);
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return ((await this.query(sql, params)) as T[])[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    const r = (await this.query(sql, params)) as mysql.ResultSetHeader;
    return { changes: r.affectedRows ?? 0, ...(r.insertId ? { lastInsertId: Number(r.insertId) } : {}) };
  }

  async insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: "error" | "ignore" },
  ): Promise<number> {
    const verb = options?.onConflict === "ignore" ? "INSERT IGNORE" : "INSERT";
    let changes = 0;
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
      const part = rows.slice(i, i + MAX_ROWS_PER_INSERT);
      const r = (await this.query(
        `${verb} INTO ${table} (${columns.join(", ")}) VALUES ${valuesList(part.length, columns.length)}`,
        part.flat(),
      )) as mysql.ResultSetHeader;
      changes += r.affectedRows ?? 0;
    }
    return changes;
  }

  async upsertMany(
    table: string,
    columns: readonly string[],
    _keyColumns: readonly string[],
    updateColumns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    const set = (updateColumns.length ? updateColumns : columns.slice(0, 1))
      .map((c) => `${c} = ${updateColumns.length ? `VALUES(${c})` : c}`)
      .join(", ");
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
      const part = rows.slice(i, i + MAX_ROWS_PER_INSERT);
      await this.query(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${valuesList(part.length, columns.length)} ON DUPLICATE KEY UPDATE ${set}`,
        part.flat(),
      );
    }
  }
}

function valuesList(rows: number, cols: number): string {
  const row = `(${new Array(cols).fill("?").join(", ")})`;
  return new Array(rows).fill(row).join(", ");
}

class MysqlDatabase extends MysqlExecutor implements Database {
  readonly dialect = mysqlDialect;

  constructor(private readonly pool: mysql.Pool) {
    super(pool);
  }

  override async insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: "error" | "ignore" },
  ): Promise<number> {
    if (rows.length === 0) return 0;
    if (rows.length <= MAX_ROWS_PER_INSERT) return super.insertMany(table, columns, rows, options);
    return this.transaction((tx) => tx.insertMany(table, columns, rows, options));
  }

  override async upsertMany(
    table: string,
    columns: readonly string[],
    keyColumns: readonly string[],
    updateColumns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    if (rows.length === 0) return;
    return this.transaction((tx) => tx.upsertMany(table, columns, keyColumns, updateColumns, rows));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn);
      } catch (e) {
        const errno = typeof e === "object" && e !== null ? errnoOf.get(e) : undefined;
        const retry =
          (errno !== undefined && RETRYABLE_ERRNOS.has(errno) && attempt < MAX_ATTEMPTS) ||
          (errno === DUPLICATE_ENTRY && attempt < MAX_DUPLICATE_ATTEMPTS);
        if (!retry) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  private async attempt<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let conn: mysql.PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (e) {
      throw connectError(e);
    }
    let broken = false;
    try {
      await conn.query("START TRANSACTION");
      const value = await fn(new MysqlExecutor(conn));
      try {
        await conn.query("COMMIT");
      } catch (e) {
        throw translateMysqlError(e);
      }
      return value;
    } catch (e) {
      try {
        await conn.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /**
   * Runs DDL statements one by one. `CREATE INDEX IF NOT EXISTS` and `DROP INDEX IF EXISTS <name>`
   * (which MySQL lacks, and MariaDB only with `ON <table>`) are checked against the catalog.
   */
  async execScript(sql: string): Promise<void> {
    for (const raw of sql.split(/;\s*\n/)) {
      const statement = raw.trim();
      if (!statement) continue;
      const create = /^CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s+ON\s+(\w+)/i.exec(statement);
      const drop = /^DROP\s+INDEX\s+IF\s+EXISTS\s+(\w+)\s*$/i.exec(statement);
      if (create) {
        if (!(await this.indexTable(create[1] as string))) {
          await this.run(statement.replace(/\s+IF\s+NOT\s+EXISTS/i, ""));
        }
      } else if (drop) {
        const table = await this.indexTable(drop[1] as string);
        if (table) await this.run(`DROP INDEX ${drop[1]} ON ${table}`);
      } else {
        await this.run(statement);
      }
    }
  }

  private async indexTable(index: string): Promise<string | undefined> {
    const row = await this.get<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ? LIMIT 1",
      [index],
    );
    return row?.t;
  }

  async tableExists(name: string): Promise<boolean> {
    const row = await this.get(
      "SELECT 1 AS x FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
      [name],
    );
    return row !== undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function connectError(e: unknown): unknown {
  const translated = translateMysqlError(e);
  if (translated !== e) return translated;
  return new MlflowError(
    "TEMPORARILY_UNAVAILABLE",
    `Could not connect to the MySQL database: ${(e as Error).message ?? String(e)}`,
  );
}

/** What `mysql2` needs from an MLflow-style URI (`mysql://`, `mysql+pymysql://`, `mysql+mysqldb://`). */
export function mysqlConfigFromUri(uri: string): mysql.PoolOptions {
  const m = /^(?:mysql|mariadb)(?:\+\w+)?:\/\/(.*)$/i.exec(uri);
  if (!m) throw MlflowError.invalidParameter(`Not a MySQL URI: ${uri}`);
  let url: URL;
  try {
    url = new URL(`mysql://${m[1]}`);
  } catch {
    throw MlflowError.invalidParameter(`Invalid MySQL URI '${uri}'.`);
  }
  const q = url.searchParams;
  const config: mysql.PoolOptions = {
    host: url.hostname ? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1") : "localhost",
    port: url.port ? Number(url.port) : 3306,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || undefined,
    connectionLimit: Number(q.get("pool_size") ?? 10) || 10,
    charset: q.get("charset") ?? "utf8mb4",
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    dateStrings: true,
  };
  if (q.get("unix_socket")) config.socketPath = q.get("unix_socket") as string;
  if (url.username) config.user = decodeURIComponent(url.username);
  if (url.password) config.password = decodeURIComponent(url.password);
  const ssl = q.get("ssl_mode") ?? q.get("ssl-mode");
  if (ssl && !/^(disabled|preferred)$/i.test(ssl)) config.ssl = { rejectUnauthorized: /verify/i.test(ssl) };
  const timeout = q.get("connect_timeout");
  if (timeout) config.connectTimeout = Number(timeout) * 1000;
  return config;
}

const SESSION_SETUP = [
  "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'",
  "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
  "SET SESSION group_concat_max_len = 1073741824",
];

export async function openMysql(uri: string): Promise<MysqlDatabase> {
  const mysqlModule = await import("mysql2/promise");
  const pool = mysqlModule.createPool(mysqlConfigFromUri(uri));
  // every new connection gets the session settings before its first query
  pool.pool.on("connection", (conn) => {
    for (const s of SESSION_SETUP) conn.query(s, () => {});
  });
  const db = new MysqlDatabase(pool);
  try {
    await pool.query("SELECT 1");
  } catch (e) {
    await pool.end().catch(() => {});
    throw connectError(e);
  }
  return db;
}

export type { MysqlDatabase };
