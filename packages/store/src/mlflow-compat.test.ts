// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { isMlflowError } from "@mlflow-ts/protocol";
import { ALEMBIC_HEAD, MLFLOW_INDEXES, MLFLOW_TABLES } from "./schema/mlflow-2-22.js";
import { EXTRA_TABLES } from "./schema/mlflowts-tables.js";
import type { Database } from "./sql/database.js";
import { openDatabase } from "./sql/open-database.js";
import { SqlRegistryStore } from "./sql-registry-store.js";
import { SqlTrackingStore } from "./sql-tracking-store.js";
import { createScratchDatabase, type ScratchDatabase } from "./testing/test-databases.js";

const scratches: ScratchDatabase[] = [];
/** A fresh empty database on the backend under test (dropped after each test). */
async function freshUri(): Promise<string> {
  const s = await createScratchDatabase();
  scratches.push(s);
  return s.uri;
}
afterEach(async () => {
  for (const s of scratches.splice(0)) await s.drop();
});

function currentSchema(db: Database): string {
  return db.dialect.name === "mysql" ? "DATABASE()" : "current_schema()";
}

/** Catalog queries (test-only introspection; the store itself never needs them). */
async function tableNames(db: Database): Promise<string[]> {
  const sql =
    db.dialect.name === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${currentSchema(db)} ORDER BY table_name`;
  return (await db.all<{ name: string }>(sql)).map((r) => r.name).sort();
}
async function columnNames(db: Database, table: string): Promise<string[]> {
  if (db.dialect.name === "sqlite") {
    return (await db.all<{ name: string }>(`PRAGMA table_info(${table})`)).map((r) => r.name);
  }
  return (
    await db.all<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ${currentSchema(db)} AND table_name = ? ORDER BY ordinal_position`,
      [table],
    )
  ).map((r) => r.name);
}
async function indexNames(db: Database): Promise<string[]> {
  const sql =
    db.dialect.name === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'index'"
      : db.dialect.name === "postgres"
        ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
        : "SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE()";
  return (await db.all<{ name: string }>(sql)).map((r) => r.name);
}

/** Creates MLflow 2.22's schema the way MLflow's migrations leave it on this database, plus `rows`. */
async function mlflowWritten(uri: string, revision: string, rows: (db: Database) => Promise<void>): Promise<void> {
  const db = await openDatabase(uri);
  try {
    await db.transaction(async (tx) => {
      for (const ddl of [...MLFLOW_TABLES, ...MLFLOW_INDEXES]) await tx.run(db.dialect.ddl(ddl));
      await tx.run("INSERT INTO alembic_version VALUES (?)", [revision]);
    });
    await rows(db);
  } finally {
    await db.close();
  }
}

/** Columns MLflow 2.22's SQLAlchemy models read and write, per table. */
const MLFLOW_COLUMNS: Record<string, string[]> = {
  experiments: ["experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time"],
  experiment_tags: ["key", "value", "experiment_id"],
  runs: [
    "run_uuid",
    "name",
    "source_type",
    "source_name",
    "entry_point_name",
    "user_id",
    "status",
    "start_time",
    "end_time",
    "source_version",
    "lifecycle_stage",
    "artifact_uri",
    "experiment_id",
    "deleted_time",
  ],
  tags: ["key", "value", "run_uuid"],
  params: ["key", "value", "run_uuid"],
  metrics: ["key", "value", "timestamp", "run_uuid", "step", "is_nan"],
  latest_metrics: ["key", "value", "timestamp", "step", "is_nan", "run_uuid"],
  datasets: [
    "dataset_uuid",
    "experiment_id",
    "name",
    "digest",
    "dataset_source_type",
    "dataset_source",
    "dataset_schema",
    "dataset_profile",
  ],
  inputs: ["input_uuid", "source_type", "source_id", "destination_type", "destination_id"],
  input_tags: ["input_uuid", "name", "value"],
  registered_models: ["name", "creation_time", "last_updated_time", "description"],
  model_versions: [
    "name",
    "version",
    "creation_time",
    "last_updated_time",
    "description",
    "user_id",
    "current_stage",
    "source",
    "run_id",
    "status",
    "status_message",
    "run_link",
    "storage_location",
  ],
  registered_model_tags: ["key", "value", "name"],
  model_version_tags: ["key", "value", "name", "version"],
  registered_model_aliases: ["alias", "version", "name"],
  trace_info: ["request_id", "experiment_id", "timestamp_ms", "execution_time_ms", "status"],
  trace_tags: ["key", "value", "request_id"],
  trace_request_metadata: ["key", "value", "request_id"],
  alembic_version: ["version_num"],
};

describe("MLflow 2.22 database compatibility", () => {
  it("writes exactly MLflow 2.22's tables, columns and alembic head", async () => {
    const uri = await freshUri();
    const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
    try {
      const tables = await tableNames(store.db);
      // Our own tables carry the mlflowts_ prefix; MLflow ignores tables it does not know.
      assert.deepEqual(
        tables.filter((n) => !n.startsWith("mlflowts_")),
        Object.keys(MLFLOW_COLUMNS).sort(),
      );
      assert.deepEqual(
        tables.filter((n) => n.startsWith("mlflowts_")),
        EXTRA_TABLES.map((ddl) => /CREATE TABLE IF NOT EXISTS (\w+)/.exec(ddl)?.[1]).sort(),
      );
      for (const [table, columns] of Object.entries(MLFLOW_COLUMNS)) {
        assert.deepEqual(await columnNames(store.db, table), columns, table);
      }
      const v = await store.db.get<{ version_num: string }>("SELECT version_num FROM alembic_version");
      assert.equal(v?.version_num, ALEMBIC_HEAD);
      const indexes = await indexNames(store.db);
      for (const ddl of MLFLOW_INDEXES) {
        const name = /CREATE INDEX (\w+)/.exec(ddl)?.[1] as string;
        assert.ok(indexes.includes(name), name);
      }
    } finally {
      await store.close();
    }
  });

  it("opens a database MLflow wrote, with its old-row quirks, without migrating it", async () => {
    const uri = await freshUri();
    await mlflowWritten(uri, ALEMBIC_HEAD, async (db) => {
      const tx = db;
      // rows as MLflow writes them: pre-migration experiment without times, a pre-1.29 run with an empty name
      await tx.run(
        "INSERT INTO experiments VALUES (0, 'Default', 'file:///srv/mlruns/0', 'active', NULL, NULL), (7, 'old', 's3://b/7', 'active', 1600000000000, 1600000000000)",
      );
      await tx.run(
        "INSERT INTO runs VALUES ('aaaabbbbccccddddeeeeffff00001111', '', 'LOCAL', 'train.py', '', 'bob', 'FINISHED', 1600000000000, 1600000005000, '', 'active', 's3://b/7/aaaabbbbccccddddeeeeffff00001111/artifacts', 7, NULL)",
      );
      await tx.run(
        "INSERT INTO tags VALUES ('mlflow.runName', 'legacy-run', 'aaaabbbbccccddddeeeeffff00001111'), ('mlflow.user', 'bob', 'aaaabbbbccccddddeeeeffff00001111')",
      );
      await tx.run("INSERT INTO params VALUES ('alpha', '0.5', 'aaaabbbbccccddddeeeeffff00001111')");
      // is_nan is bound: BOOLEAN is an integer on SQLite and a native boolean on PostgreSQL
      await tx.run(
        "INSERT INTO metrics VALUES ('loss', 0.5, 1600000001000, 'aaaabbbbccccddddeeeeffff00001111', 0, ?), ('loss', 0, 1600000002000, 'aaaabbbbccccddddeeeeffff00001111', 1, ?)",
        [0, 1],
      );
      await tx.run(
        "INSERT INTO latest_metrics VALUES ('loss', 0, 1600000002000, 1, ?, 'aaaabbbbccccddddeeeeffff00001111')",
        [1],
      );
      // MLflow inserted experiment 7 through the key's sequence (PostgreSQL): advance it as MLflow left it
      if (db.dialect.name === "postgres") await tx.get("SELECT setval('experiments_experiment_id_seq', 7)");
      if (db.dialect.name === "mysql") await tx.run("ALTER TABLE experiments AUTO_INCREMENT = 8");
    });

    const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
    try {
      const v = await store.db.get<{ version_num: string }>("SELECT version_num FROM alembic_version");
      assert.equal(v?.version_num, ALEMBIC_HEAD);
      const def = await store.getExperiment("0");
      assert.equal(def.artifact_location, "file:///srv/mlruns/0");
      assert.equal(def.creation_time, undefined);
      const run = await store.getRun("aaaabbbbccccddddeeeeffff00001111");
      assert.equal(run.info.run_name, "legacy-run");
      assert.equal(run.info.experiment_id, "7");
      assert.deepEqual(run.data.metrics, [{ key: "loss", value: "NaN", timestamp: 1600000002000, step: 1 }]);
      assert.deepEqual(run.data.params, [{ key: "alpha", value: "0.5" }]);
      const found = await store.searchRuns({
        experiment_ids: ["7"],
        filter: "attributes.run_name = 'legacy-run' AND params.alpha = '0.5'",
      });
      assert.equal(found.runs.length, 1);
      // writing keeps working on MLflow's rows
      await store.logBatch(
        "aaaabbbbccccddddeeeeffff00001111",
        [{ key: "loss", value: 0.25, timestamp: 1600000003000, step: 2 }],
        [],
        [],
      );
      const after = await store.getRun("aaaabbbbccccddddeeeeffff00001111");
      assert.deepEqual(after.data.metrics, [{ key: "loss", value: 0.25, timestamp: 1600000003000, step: 2 }]);
      const created = await store.createExperiment({ name: "new-one" });
      assert.equal(created, "8");
    } finally {
      await store.close();
    }
  });

  it("reads and extends a registry MLflow wrote (soft-deleted versions, aliases, tags)", async () => {
    const uri = await freshUri();
    await mlflowWritten(uri, ALEMBIC_HEAD, async (tx) => {
      await tx.run("INSERT INTO experiments VALUES (0, 'Default', 'file:///srv/mlruns/0', 'active', NULL, NULL)");
      await tx.run(
        "INSERT INTO registered_models VALUES ('churn', 1600000000000, 1600000009000, 'legacy model'), ('other', 1600000000000, NULL, NULL)",
      );
      await tx.run("INSERT INTO registered_model_tags VALUES ('team', 'ml', 'churn')");
      await tx.run(
        `INSERT INTO model_versions VALUES
          ('churn', 1, 1600000001000, 1600000001000, NULL, NULL, 'Production', 's3://b/1', 'r1', 'READY', NULL, NULL, 's3://b/1'),
          ('churn', 2, 1600000002000, 1600000008000, NULL, NULL, 'Deleted_Internal', 'REDACTED-SOURCE-PATH', 'REDACTED-RUN-ID', 'READY', NULL, 'REDACTED-RUN-LINK', 's3://b/2'),
          ('churn', 3, 1600000003000, 1600000003000, 'v3', NULL, 'None', 's3://b/3', NULL, 'READY', NULL, '', NULL),
          ('other', 1, 1600000004000, 1600000004000, NULL, NULL, 'None', 's3://o/1', NULL, 'FAILED_REGISTRATION', 'copy failed', NULL, NULL),
          ('other', 2, 1600000005000, 1600000005000, NULL, NULL, 'None', 's3://o/2', NULL, 'PENDING_REGISTRATION', NULL, NULL, NULL)`,
      );
      await tx.run("INSERT INTO model_version_tags VALUES ('k', 'v', 'churn', 3)");
      await tx.run("INSERT INTO registered_model_aliases VALUES ('champion', 1, 'churn')");
    });

    const tracking = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
    const registry = new SqlRegistryStore(tracking.db);
    try {
      const rm = await registry.getRegisteredModel("churn");
      assert.equal(rm.description, "legacy model");
      assert.deepEqual(rm.tags, [{ key: "team", value: "ml" }]);
      assert.deepEqual(rm.aliases, [{ alias: "champion", version: "1" }]);
      assert.deepEqual(
        rm.latest_versions?.map((v) => [v.version, v.current_stage]),
        [
          ["1", "Production"],
          ["3", "None"],
        ],
      );
      const v3 = await registry.getModelVersion("churn", "3");
      assert.deepEqual(v3.tags, [{ key: "k", value: "v" }]);
      assert.equal(v3.run_link, "");
      assert.equal(await registry.getModelVersionDownloadUri("churn", "3"), "s3://b/3");
      assert.equal((await registry.getModelVersionByAlias("churn", "champion")).version, "1");
      const failed = await registry.getModelVersion("other", "1");
      assert.equal(failed.status, "FAILED_REGISTRATION");
      assert.equal(failed.status_message, "copy failed");
      assert.equal((await registry.getModelVersion("other", "2")).status, "PENDING_REGISTRATION");
      const created = await registry.createModelVersion({ name: "churn", source: "s3://b/4" });
      assert.equal(created.version, "4");
      const found = await registry.searchModelVersions({ filter: "name = 'churn'" });
      assert.deepEqual(found.model_versions.map((v) => v.version).sort(), ["1", "3", "4"]);
    } finally {
      await tracking.close();
    }
  });

  it("refuses a database at another alembic revision with one clear message, and leaves it alone", async () => {
    const uri = await freshUri();
    await mlflowWritten(uri, "7f2a7d5fae7d", async (db) => {
      await db.run("INSERT INTO experiments VALUES (0, 'Default', 'file:///srv/mlruns/0', 'active', NULL, NULL)");
    });
    await assert.rejects(SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" }), (e: unknown) => {
      assert.ok(isMlflowError(e));
      assert.equal(e.errorCode, "INVALID_STATE");
      assert.match(e.message, /found version 7f2a7d5fae7d, but expected 0584bdc529eb/);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
    const db = await openDatabase(uri);
    try {
      assert.equal((await db.get<{ v: string }>("SELECT version_num AS v FROM alembic_version"))?.v, "7f2a7d5fae7d");
      assert.equal(await db.tableExists("mlflowts_webhooks"), false);
    } finally {
      await db.close();
    }
  });
});
