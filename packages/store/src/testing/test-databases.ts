/**
 * Scratch databases for tests and benchmarks (exported as `@mlflow-ts/store/testing`, not from
 * the package root). SQLite: a file in a temp directory. PostgreSQL: a fresh database with a
 * random name on the server of `MLFLOW_TS_TEST_POSTGRES_URI` (default
 * postgresql://postgres@127.0.0.1:5432/test), dropped by `drop()`. MySQL/MariaDB: the same on
 * `MLFLOW_TS_TEST_MYSQL_URI` (default mysql://root@127.0.0.1:3306/test). An unreachable server is
 * an error that says what to do, never a silent skip.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TestBackend = "sqlite" | "postgres" | "mysql";

export const DEFAULT_POSTGRES_URI = "postgresql://postgres@127.0.0.1:5432/test";
export const DEFAULT_MYSQL_URI = "mysql://root@127.0.0.1:3306/test";

/** The backend this test process runs against: `MLFLOW_TS_TEST_BACKEND` (set by scripts/run-tests.mjs), else sqlite. */
export function testBackend(env: NodeJS.ProcessEnv = process.env): TestBackend {
  const b = (env.MLFLOW_TS_TEST_BACKEND ?? "sqlite").toLowerCase();
  if (b === "sqlite" || b === "postgres" || b === "mysql") return b;
  throw new Error(`MLFLOW_TS_TEST_BACKEND=${b}: expected sqlite, postgres or mysql`);
}

export interface ScratchDatabase {
  backend: TestBackend;
  /** The backend store URI of the fresh database. */
  uri: string;
  drop(): Promise<void>;
}

/** `postgresql://.../db?x` or `mysql://.../db` with another database name. */
export function withDatabaseName(uri: string, name: string): string {
  const m = /^([a-zA-Z][\w+]*:)(.*)$/.exec(uri);
  const u = new URL(`http:${m?.[2] ?? uri}`);
  u.pathname = `/${name}`;
  return `${m?.[1] ?? ""}${u.toString().slice("http:".length)}`;
}

async function mysqlAdminQuery(adminUri: string, sql: string): Promise<void> {
  const { default: mysql } = await import("mysql2/promise");
  const u = new URL(adminUri.replace(/^mysql(?:\+\w+)?:/i, "http:"));
  let conn: Awaited<ReturnType<typeof mysql.createConnection>>;
  try {
    conn = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || "root"),
      password: decodeURIComponent(u.password),
      connectTimeout: 5000,
    });
  } catch (e) {
    throw new Error(
      `MySQL test server unreachable at ${adminUri} (${(e as Error).message}). Start MySQL/MariaDB there, point MLFLOW_TS_TEST_MYSQL_URI at a server whose user may CREATE DATABASE, or leave mysql out of MLFLOW_TS_TEST_BACKENDS.`,
    );
  }
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

async function adminQuery(adminUri: string, sql: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: adminUri, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL test server unreachable at ${adminUri} (${(e as Error).message}). Start PostgreSQL there, point MLFLOW_TS_TEST_POSTGRES_URI at a server whose user may CREATE DATABASE, or run SQLite only with MLFLOW_TS_TEST_BACKENDS=sqlite.`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on `backend`. */
export async function createScratchDatabase(
  backend: TestBackend = testBackend(),
  options: { postgresUri?: string; mysqlUri?: string; dir?: string } = {},
): Promise<ScratchDatabase> {
  if (backend === "sqlite") {
    const own = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "mlflow-ts-db-"));
    return {
      backend,
      uri: `sqlite:///${join(dir, "mlflow.db")}`,
      async drop() {
        if (own) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `mlflowts_t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  if (backend === "mysql") {
    const admin = options.mysqlUri ?? process.env.MLFLOW_TS_TEST_MYSQL_URI ?? DEFAULT_MYSQL_URI;
    await mysqlAdminQuery(admin, `CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    return {
      backend,
      uri: withDatabaseName(admin, name),
      async drop() {
        await mysqlAdminQuery(admin, `DROP DATABASE IF EXISTS ${name}`);
      },
    };
  }
  const admin = options.postgresUri ?? process.env.MLFLOW_TS_TEST_POSTGRES_URI ?? DEFAULT_POSTGRES_URI;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  return {
    backend,
    uri: withDatabaseName(admin, name),
    async drop() {
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
