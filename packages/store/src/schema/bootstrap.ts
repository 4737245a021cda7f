import { MlflowError } from "@mlflow-ts/protocol";
import type { Database } from "../sql/database.js";
import { appendToUri } from "../tracking/context.js";
import { ALEMBIC_HEAD, EXTRA_INDEXES, MLFLOW_INDEXES, MLFLOW_TABLES, SQLITE_EXTRA_INDEXES } from "./mlflow-2-22.js";
import { EXTRA_TABLE_INDEXES, EXTRA_TABLES } from "./mlflowts-tables.js";

export type SchemaState = "empty" | "current" | { found: string | null };

export async function schemaState(db: Database): Promise<SchemaState> {
  if (!(await db.tableExists("experiments"))) return "empty";
  if (!(await db.tableExists("alembic_version"))) return { found: null };
  const row = await db.get<{ version_num: string }>("SELECT version_num FROM alembic_version");
  return row?.version_num === ALEMBIC_HEAD ? "current" : { found: row?.version_num ?? null };
}

/**
 * Creates MLflow's schema in an empty database, refuses a database at another alembic revision,
 * adds our extra indexes and `mlflowts_*` tables and makes sure the Default experiment (id 0) exists.
 */
export async function ensureSchema(db: Database, options: { defaultArtifactRoot: string; now: number }): Promise<void> {
  const state = await schemaState(db);
  if (state === "empty") {
    await db.transaction(async (tx) => {
      for (const ddl of [...MLFLOW_TABLES, ...MLFLOW_INDEXES]) await tx.run(db.dialect.ddl(ddl));
      await tx.run("INSERT INTO alembic_version (version_num) VALUES (?)", [ALEMBIC_HEAD]);
    });
  } else if (state !== "current") {
    throw new MlflowError(
      "INVALID_STATE",
      `Detected out-of-date or unknown database schema (found version ${state.found ?? "none"}, but expected ${ALEMBIC_HEAD}, MLflow 2.22). Take a backup of your database, then migrate it to MLflow 2.22's schema with 'mlflow db upgrade <database_uri>' from MLflow 2.22.`,
    );
  }
  const dialectIndexes = db.dialect.name === "sqlite" ? SQLITE_EXTRA_INDEXES : [];
  await db.execScript(
    [...EXTRA_INDEXES, ...dialectIndexes, ...EXTRA_TABLES, ...EXTRA_TABLE_INDEXES].map(db.dialect.ddl).join(";\n"),
  );
  const hasDefault = await db.get("SELECT 1 AS x FROM experiments WHERE experiment_id = 0");
  if (!hasDefault) {
    await db.run(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)",
      [appendToUri(options.defaultArtifactRoot, "0"), options.now, options.now],
    );
  }
}
