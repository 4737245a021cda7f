// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
/**
 * End-to-end: the generated SQL runs against a real database of the backend under test (SQLite
 * with MLflow's `PRAGMA case_sensitive_like = true`, PostgreSQL, ...) holding MLflow's own schema,
 * in the exact query shape the store uses.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MLFLOW_TABLES } from "../schema/mlflow-2-22.js";
import type { Database } from "../sql/database.js";
import { openDatabase } from "../sql/open-database.js";
import { createScratchDatabase, type ScratchDatabase } from "../testing/test-databases.js";
import { buildExperimentSearchSql, buildRunSearchSql, decodePageToken, encodePageToken } from "./index.js";

// [run_uuid, name column, status, user_id, start_time, end_time, experiment_id, lifecycle_stage]
type RunRow = [string, string | null, string, string, number, number | null, number, string];
const RUNS: RunRow[] = [
  ["r1", "bright-fox", "FINISHED", "alice", 1000, 2000, 1, "active"],
  ["r2", "Calm-Owl", "FAILED", "Bob", 2000, 2500, 1, "active"],
  ["r3", "", "RUNNING", "alice", 3000, null, 1, "active"], // old-style run: empty name column
  ["r4", null, "FINISHED", "carol", 3000, 3500, 1, "active"],
  ["r5", "other-exp", "FINISHED", "alice", 4000, 4100, 2, "active"],
  ["r6", "deleted", "FINISHED", "alice", 5000, 5100, 1, "deleted"],
];
const PARAMS = [
  ["r1", "model", "lr"],
  ["r1", "opt", "adam"],
  ["r1", "lr", "0.01"],
  ["r2", "model", "rf"],
  ["r2", "opt", "sgd"],
  ["r3", "model", "lr"],
  ["r4", "lr", "0.1"],
  ["r5", "model", "lr"],
  ["r6", "model", "lr"],
];
// [run, key, value, is_nan]; NaN is stored as value 0 with is_nan = 1.
const METRICS: [string, string, number, number][] = [
  ["r1", "acc", 0.95, 0],
  ["r1", "loss", 0.2, 0],
  ["r2", "acc", 0.8, 0],
  ["r2", "loss", 0, 1],
  ["r3", "acc", 0, 1],
  ["r4", "loss", 0.05, 0],
];
const TAGS = [
  ["r1", "mlflow.runName", "bright-fox"],
  ["r1", "env", "prod-eu"],
  ["r2", "mlflow.runName", "Calm-Owl"],
  ["r2", "env", "Prod-us"],
  ["r3", "mlflow.runName", "fox-trot"],
];
// [dataset_uuid, name, digest]; inputs: [input_uuid, dataset_uuid, run, context]
const DATASETS = [
  ["ds1", "iris", "d1"],
  ["ds2", "wine", "d2"],
  ["ds3", "iris", "d3"],
];
const INPUTS = [
  ["in1", "ds1", "r1", "training"],
  ["in2", "ds2", "r2", "eval"],
  ["in3", "ds3", "r4", "eval"],
];

let scratch: ScratchDatabase;
let db: Database;

before(async () => {
  scratch = await createScratchDatabase();
  db = await openDatabase(scratch.uri);
  for (const ddl of MLFLOW_TABLES) await db.run(db.dialect.ddl(ddl));
  const insert = async (sql: string, rows: readonly (readonly unknown[])[]) => {
    for (const row of rows) await db.run(sql, row as (string | number | null)[]);
  };
  await insert(
    "INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)",
    [
      [1, "team-a", "active", 100, 500],
      [2, "team-b", "active", 200, 300],
      [3, "Other", "active", 200, 400],
      [4, "team-c", "deleted", 300, 300],
    ],
  );
  await insert("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)", [
    [1, "owner", "alice"],
    [2, "owner", "Bob"],
  ]);
  await insert(
    "INSERT INTO runs (run_uuid, name, status, user_id, start_time, end_time, experiment_id, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    RUNS,
  );
  await insert("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)", PARAMS);
  await insert(
    "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, 0, 0)",
    METRICS,
  );
  await insert("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)", TAGS);
  await insert(
    "INSERT INTO datasets (dataset_uuid, name, digest, experiment_id, dataset_source_type, dataset_source) VALUES (?, ?, ?, 1, 'local', 'x')",
    DATASETS,
  );
  await insert(
    "INSERT INTO inputs (input_uuid, source_id, destination_id, source_type, destination_type) VALUES (?, ?, ?, 'DATASET', 'RUN')",
    INPUTS.map(([input, dataset, run]) => [input, dataset, run]),
  );
  await insert(
    "INSERT INTO input_tags (input_uuid, name, value) VALUES (?, 'mlflow.data.context', ?)",
    INPUTS.map(([input, , , context]) => [input, context]),
  );
});

after(async () => {
  await db?.close();
  await scratch?.drop();
});

/**
 * Expected order of a string sort: binary (SQLite, PostgreSQL's C collation) or case-insensitive
 * (MySQL's default collations, which MLflow's ORDER BY on MySQL follows too).
 */
function byCollation(binary: string[], caseInsensitive: string[]): string[] {
  return db.dialect.name === "mysql" ? caseInsensitive : binary;
}

/** Runs the store's query shape over experiment 1's active runs; returns run ids in order. */
async function searchRuns(filter: string, orderBy: string[] = [], limit = 100, offset = 0): Promise<string[]> {
  const q = buildRunSearchSql(filter, orderBy, db.dialect);
  const where = q.whereSql === "" ? "" : ` AND (${q.whereSql})`;
  const sql =
    `SELECT runs.* FROM runs ${q.joinSql} WHERE runs.experiment_id IN (?) AND runs.lifecycle_stage IN (?)` +
    `${where} ORDER BY ${q.orderSql} LIMIT ? OFFSET ?`;
  const params = [...q.joinParams, 1, "active", ...q.whereParams, limit, offset];
  return (await db.all<{ run_uuid: string }>(sql, params as (string | number)[])).map((row) => row.run_uuid);
}

async function searchExperiments(filter: string, orderBy: string[] = []): Promise<number[]> {
  const q = buildExperimentSearchSql(filter, orderBy, db.dialect);
  const where = q.whereSql === "" ? "" : ` AND (${q.whereSql})`;
  const sql = `SELECT * FROM experiments WHERE lifecycle_stage IN (?)${where} ORDER BY ${q.orderSql} LIMIT ? OFFSET ?`;
  return (
    await db.all<{ experiment_id: number }>(sql, ["active", ...(q.whereParams as (string | number)[]), 100, 0])
  ).map((row) => row.experiment_id);
}

describe("run search: filters", () => {
  it("no filter: start_time DESC, then run_uuid ASC; scope and lifecycle still apply", async () => {
    assert.deepEqual(await searchRuns(""), ["r3", "r4", "r2", "r1"]);
  });

  it("!= excludes runs without the key", async () => {
    assert.deepEqual(await searchRuns("params.opt != 'adam'"), ["r2"]);
    assert.deepEqual(await searchRuns("metrics.acc != 0.95"), ["r3", "r2"]);
    assert.deepEqual(await searchRuns("tags.env != 'x'"), ["r2", "r1"]);
  });

  it("OR and parentheses, AND binding tighter", async () => {
    assert.deepEqual(await searchRuns("params.model = 'lr' OR metrics.loss = 0.05"), ["r3", "r4", "r1"]);
    assert.deepEqual(await searchRuns("params.model = 'lr' AND metrics.acc > 0.9 OR params.model = 'rf'"), [
      "r2",
      "r1",
    ]);
    assert.deepEqual(await searchRuns("params.model = 'lr' AND (metrics.acc > 0.9 OR params.model = 'rf')"), ["r1"]);
    assert.deepEqual(await searchRuns("status = 'FINISHED' OR status = 'RUNNING'"), ["r3", "r4", "r1"]);
    assert.deepEqual(
      await searchRuns("(params.model = 'rf' OR (tags.env LIKE 'prod%' AND metrics.loss >= 0.2)) AND user_id != 'x'"),
      ["r2", "r1"],
    );
  });

  it("an OR filter does not escape the experiment and lifecycle scope", async () => {
    assert.deepEqual(await searchRuns("params.model = 'lr' OR status = 'FINISHED'"), ["r3", "r4", "r1"]);
  });

  it("LIKE and = are case-sensitive, ILIKE is not", async () => {
    assert.deepEqual(await searchRuns("tags.env LIKE 'prod%'"), ["r1"]);
    assert.deepEqual(await searchRuns("tags.env ILIKE 'prod%'"), ["r2", "r1"]);
    assert.deepEqual(await searchRuns("user_id = 'bob'"), []);
    assert.deepEqual(await searchRuns("user_id ILIKE 'BOB'"), ["r2"]);
    assert.deepEqual(await searchRuns("params.model LIKE 'L_'"), []);
    assert.deepEqual(await searchRuns("params.model LIKE 'l_'"), ["r3", "r1"]);
  });

  it("run_name is matched against the mlflow.runName tag", async () => {
    assert.deepEqual(await searchRuns("attributes.run_name LIKE '%fox%'"), ["r3", "r1"]);
    assert.deepEqual(await searchRuns("`Run Name` ILIKE 'calm%'"), ["r2"]);
  });

  it("metrics compare the latest value; NaN is stored as 0 and matches = 0", async () => {
    assert.deepEqual(await searchRuns("metrics.acc >= 0.8"), ["r2", "r1"]);
    assert.deepEqual(await searchRuns("metrics.loss = 0"), ["r2"]);
    assert.deepEqual(await searchRuns("metrics.loss > -1.5 AND metrics.loss < 1e-1"), ["r4", "r2"]);
  });

  it("numeric attributes; a NULL end_time never matches", async () => {
    assert.deepEqual(await searchRuns("end_time > 0"), ["r4", "r2", "r1"]);
    assert.deepEqual(await searchRuns("end_time != 2000"), ["r4", "r2"]);
    assert.deepEqual(await searchRuns("start_time > 2999.5"), ["r3", "r4"]);
    assert.deepEqual(await searchRuns("created >= 2000"), ["r3", "r4", "r2"]);
  });

  it("run_id IN / NOT IN", async () => {
    assert.deepEqual(await searchRuns("run_id IN ('r1', 'R2', 'r4')"), ["r4", "r1"]);
    assert.deepEqual(await searchRuns("run_id NOT IN ('r1')"), ["r3", "r4", "r2"]);
    assert.deepEqual(await searchRuns("run_id IN ('R1')"), []);
  });

  it("datasets: name, digest, context, lists", async () => {
    assert.deepEqual(await searchRuns("datasets.name = 'iris'"), ["r4", "r1"]);
    assert.deepEqual(await searchRuns("datasets.name = 'iris' AND datasets.context = 'training'"), ["r1"]);
    assert.deepEqual(await searchRuns("datasets.digest IN ('d2', 'd3')"), ["r4", "r2"]);
    assert.deepEqual(await searchRuns("datasets.context != 'training'"), ["r4", "r2"]);
    assert.deepEqual(await searchRuns("datasets.name NOT IN ('iris')"), ["r2"]);
    assert.deepEqual(await searchRuns("datasets.name IN ('IRIS')"), []);
    assert.deepEqual(await searchRuns("datasets.name ILIKE 'IR%'"), ["r4", "r1"]);
  });
});

describe("run search: order_by", () => {
  it("metrics: real values, then NaN, then missing, in both directions", async () => {
    assert.deepEqual(await searchRuns("", ["metrics.acc DESC"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(await searchRuns("", ["metrics.acc ASC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(await searchRuns("", ["metrics.loss"]), ["r4", "r1", "r2", "r3"]);
    assert.deepEqual(await searchRuns("", ["metrics.loss DESC"]), ["r1", "r4", "r2", "r3"]);
  });

  it("params/tags: missing last in both directions, ties by start_time DESC then run id", async () => {
    assert.deepEqual(await searchRuns("", ["params.opt"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(await searchRuns("", ["params.opt DESC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(
      await searchRuns("", ["tags.`mlflow.runName` DESC"]),
      byCollation(["r3", "r1", "r2", "r4"], ["r3", "r2", "r1", "r4"]),
    );
  });

  it("attributes: NULL last in both directions", async () => {
    assert.deepEqual(await searchRuns("", ["attributes.end_time ASC"]), ["r1", "r2", "r4", "r3"]);
    assert.deepEqual(await searchRuns("", ["end_time DESC"]), ["r4", "r2", "r1", "r3"]);
    assert.deepEqual(
      await searchRuns("", ["run_name"]),
      byCollation(["r3", "r2", "r1", "r4"], ["r3", "r1", "r2", "r4"]),
    );
  });

  it("explicit start_time replaces the implicit one; run id breaks the tie", async () => {
    assert.deepEqual(await searchRuns("", ["start_time ASC"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(await searchRuns("", ["created DESC"]), ["r3", "r4", "r2", "r1"]);
  });

  it("several keys, with a filter (join params bind before filter params)", async () => {
    assert.deepEqual(await searchRuns("", ["params.model DESC", "metrics.acc ASC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(await searchRuns("params.model = 'lr'", ["metrics.acc DESC"]), ["r1", "r3"]);
    assert.deepEqual(
      await searchRuns("tags.env ILIKE 'PROD%' OR params.lr = '0.1'", ["tags.env DESC", "params.lr"]),
      byCollation(["r1", "r2", "r4"], ["r2", "r1", "r4"]),
    );
  });

  it("pages with offset tokens", async () => {
    const order = ["metrics.acc DESC"];
    const offset = decodePageToken(encodePageToken(2));
    assert.deepEqual(await searchRuns("", order, 2, 0), ["r1", "r2"]);
    assert.deepEqual(await searchRuns("", order, 2, offset), ["r3", "r4"]);
  });
});

describe("experiment search", () => {
  it("default order: creation_time DESC, experiment_id ASC; deleted excluded", async () => {
    assert.deepEqual(await searchExperiments(""), [2, 3, 1]);
  });

  it("LIKE is case-sensitive, ILIKE is not", async () => {
    assert.deepEqual(await searchExperiments("name LIKE 'team-%'"), [2, 1]);
    assert.deepEqual(await searchExperiments("name LIKE 'TEAM-%'"), []);
    assert.deepEqual(await searchExperiments("name ILIKE 'TEAM-%'"), [2, 1]);
  });

  it("tag clauses exclude experiments without the tag, even for !=", async () => {
    assert.deepEqual(await searchExperiments("tags.owner != 'alice'"), [2]);
    assert.deepEqual(await searchExperiments("name LIKE 'team-%' AND tags.owner = 'alice'"), [1]);
  });

  it("OR and parentheses", async () => {
    assert.deepEqual(await searchExperiments("name = 'Other' OR tags.owner = 'alice'"), [3, 1]);
    assert.deepEqual(
      await searchExperiments("(creation_time >= 200 AND tags.owner ILIKE 'b%') OR last_update_time = 500"),
      [2, 1],
    );
  });

  it("order_by with the experiment_id tie-break", async () => {
    assert.deepEqual(await searchExperiments("", ["name ASC"]), [3, 1, 2]);
    assert.deepEqual(await searchExperiments("", ["last_update_time DESC"]), [1, 3, 2]);
    assert.deepEqual(await searchExperiments("", ["creation_time"]), [1, 3, 2]);
    assert.deepEqual(await searchExperiments("", ["creation_time", "experiment_id"]), [1, 2, 3]);
  });
});
