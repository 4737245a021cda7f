/**
 * End-to-end: the generated SQL runs against an in-memory SQLite database (with MLflow's
 * `PRAGMA case_sensitive_like = true`) in the exact query shape the store uses.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { buildExperimentSearchSql, buildRunSearchSql, decodePageToken, encodePageToken } from "./index.js";
import { sqliteTestDialect } from "./search-fixtures.js";

const SCHEMA = `
CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT,
  lifecycle_stage TEXT, creation_time INTEGER, last_update_time INTEGER);
CREATE TABLE experiment_tags (key TEXT NOT NULL, value TEXT, experiment_id INTEGER NOT NULL,
  PRIMARY KEY (key, experiment_id));
CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT, status TEXT, user_id TEXT, artifact_uri TEXT,
  start_time INTEGER, end_time INTEGER, experiment_id INTEGER, lifecycle_stage TEXT);
CREATE TABLE latest_metrics (key TEXT NOT NULL, value REAL NOT NULL, timestamp INTEGER, step INTEGER NOT NULL,
  is_nan BOOLEAN NOT NULL, run_uuid TEXT NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key TEXT NOT NULL, value TEXT NOT NULL, run_uuid TEXT NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key TEXT NOT NULL, value TEXT, run_uuid TEXT NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE datasets (dataset_uuid TEXT NOT NULL, experiment_id INTEGER, name TEXT NOT NULL, digest TEXT NOT NULL,
  PRIMARY KEY (experiment_id, name, digest));
CREATE TABLE inputs (input_uuid TEXT NOT NULL, source_type TEXT NOT NULL, source_id TEXT NOT NULL,
  destination_type TEXT NOT NULL, destination_id TEXT NOT NULL);
CREATE TABLE input_tags (input_uuid TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
`;

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

let db: Database.Database;

before(() => {
  db = new Database(":memory:");
  db.pragma("case_sensitive_like = true");
  db.exec(SCHEMA);
  const insert = (sql: string, rows: readonly (readonly unknown[])[]) => {
    const statement = db.prepare(sql);
    for (const row of rows) statement.run(...row);
  };
  insert(
    "INSERT INTO runs (run_uuid, name, status, user_id, start_time, end_time, experiment_id, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    RUNS,
  );
  insert("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)", PARAMS);
  insert(
    "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, 0, 0)",
    METRICS,
  );
  insert("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)", TAGS);
  insert("INSERT INTO datasets (dataset_uuid, name, digest, experiment_id) VALUES (?, ?, ?, 1)", DATASETS);
  insert(
    "INSERT INTO inputs (input_uuid, source_id, destination_id, source_type, destination_type) VALUES (?, ?, ?, 'DATASET', 'RUN')",
    INPUTS.map(([input, dataset, run]) => [input, dataset, run]),
  );
  insert(
    "INSERT INTO input_tags (input_uuid, name, value) VALUES (?, 'mlflow.data.context', ?)",
    INPUTS.map(([input, , , context]) => [input, context]),
  );
  insert(
    "INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)",
    [
      [1, "team-a", "active", 100, 500],
      [2, "team-b", "active", 200, 300],
      [3, "Other", "active", 200, 400],
      [4, "team-c", "deleted", 300, 300],
    ],
  );
  insert("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)", [
    [1, "owner", "alice"],
    [2, "owner", "Bob"],
  ]);
});

after(() => db.close());

/** Runs the store's query shape over experiment 1's active runs; returns run ids in order. */
function searchRuns(filter: string, orderBy: string[] = [], limit = 100, offset = 0): string[] {
  const q = buildRunSearchSql(filter, orderBy, sqliteTestDialect);
  const where = q.whereSql === "" ? "" : ` AND (${q.whereSql})`;
  const sql =
    `SELECT runs.* FROM runs ${q.joinSql} WHERE runs.experiment_id IN (?) AND runs.lifecycle_stage IN (?)` +
    `${where} ORDER BY ${q.orderSql} LIMIT ? OFFSET ?`;
  const params = [...q.joinParams, 1, "active", ...q.whereParams, limit, offset];
  return db
    .prepare(sql)
    .all(...params)
    .map((row) => (row as { run_uuid: string }).run_uuid);
}

function searchExperiments(filter: string, orderBy: string[] = []): number[] {
  const q = buildExperimentSearchSql(filter, orderBy, sqliteTestDialect);
  const where = q.whereSql === "" ? "" : ` AND (${q.whereSql})`;
  const sql = `SELECT * FROM experiments WHERE lifecycle_stage IN (?)${where} ORDER BY ${q.orderSql} LIMIT ? OFFSET ?`;
  return db
    .prepare(sql)
    .all("active", ...q.whereParams, 100, 0)
    .map((row) => (row as { experiment_id: number }).experiment_id);
}

describe("run search on SQLite: filters", () => {
  it("no filter: start_time DESC, then run_uuid ASC; scope and lifecycle still apply", () => {
    assert.deepEqual(searchRuns(""), ["r3", "r4", "r2", "r1"]);
  });

  it("!= excludes runs without the key", () => {
    assert.deepEqual(searchRuns("params.opt != 'adam'"), ["r2"]);
    assert.deepEqual(searchRuns("metrics.acc != 0.95"), ["r3", "r2"]);
    assert.deepEqual(searchRuns("tags.env != 'x'"), ["r2", "r1"]);
  });

  it("OR and parentheses, AND binding tighter", () => {
    assert.deepEqual(searchRuns("params.model = 'lr' OR metrics.loss = 0.05"), ["r3", "r4", "r1"]);
    assert.deepEqual(searchRuns("params.model = 'lr' AND metrics.acc > 0.9 OR params.model = 'rf'"), ["r2", "r1"]);
    assert.deepEqual(searchRuns("params.model = 'lr' AND (metrics.acc > 0.9 OR params.model = 'rf')"), ["r1"]);
    assert.deepEqual(searchRuns("status = 'FINISHED' OR status = 'RUNNING'"), ["r3", "r4", "r1"]);
    assert.deepEqual(
      searchRuns("(params.model = 'rf' OR (tags.env LIKE 'prod%' AND metrics.loss >= 0.2)) AND user_id != 'x'"),
      ["r2", "r1"],
    );
  });

  it("an OR filter does not escape the experiment and lifecycle scope", () => {
    assert.deepEqual(searchRuns("params.model = 'lr' OR status = 'FINISHED'"), ["r3", "r4", "r1"]);
  });

  it("LIKE and = are case-sensitive, ILIKE is not", () => {
    assert.deepEqual(searchRuns("tags.env LIKE 'prod%'"), ["r1"]);
    assert.deepEqual(searchRuns("tags.env ILIKE 'prod%'"), ["r2", "r1"]);
    assert.deepEqual(searchRuns("user_id = 'bob'"), []);
    assert.deepEqual(searchRuns("user_id ILIKE 'BOB'"), ["r2"]);
    assert.deepEqual(searchRuns("params.model LIKE 'L_'"), []);
    assert.deepEqual(searchRuns("params.model LIKE 'l_'"), ["r3", "r1"]);
  });

  it("run_name is matched against the mlflow.runName tag", () => {
    assert.deepEqual(searchRuns("attributes.run_name LIKE '%fox%'"), ["r3", "r1"]);
    assert.deepEqual(searchRuns("`Run Name` ILIKE 'calm%'"), ["r2"]);
  });

  it("metrics compare the latest value; NaN is stored as 0 and matches = 0", () => {
    assert.deepEqual(searchRuns("metrics.acc >= 0.8"), ["r2", "r1"]);
    assert.deepEqual(searchRuns("metrics.loss = 0"), ["r2"]);
    assert.deepEqual(searchRuns("metrics.loss > -1.5 AND metrics.loss < 1e-1"), ["r4", "r2"]);
  });

  it("numeric attributes; a NULL end_time never matches", () => {
    assert.deepEqual(searchRuns("end_time > 0"), ["r4", "r2", "r1"]);
    assert.deepEqual(searchRuns("end_time != 2000"), ["r4", "r2"]);
    assert.deepEqual(searchRuns("start_time > 2999.5"), ["r3", "r4"]);
    assert.deepEqual(searchRuns("created >= 2000"), ["r3", "r4", "r2"]);
  });

  it("run_id IN / NOT IN", () => {
    assert.deepEqual(searchRuns("run_id IN ('r1', 'R2', 'r4')"), ["r4", "r1"]);
    assert.deepEqual(searchRuns("run_id NOT IN ('r1')"), ["r3", "r4", "r2"]);
    assert.deepEqual(searchRuns("run_id IN ('R1')"), []);
  });

  it("datasets: name, digest, context, lists", () => {
    assert.deepEqual(searchRuns("datasets.name = 'iris'"), ["r4", "r1"]);
    assert.deepEqual(searchRuns("datasets.name = 'iris' AND datasets.context = 'training'"), ["r1"]);
    assert.deepEqual(searchRuns("datasets.digest IN ('d2', 'd3')"), ["r4", "r2"]);
    assert.deepEqual(searchRuns("datasets.context != 'training'"), ["r4", "r2"]);
    assert.deepEqual(searchRuns("datasets.name NOT IN ('iris')"), ["r2"]);
    assert.deepEqual(searchRuns("datasets.name IN ('IRIS')"), []);
    assert.deepEqual(searchRuns("datasets.name ILIKE 'IR%'"), ["r4", "r1"]);
  });
});

describe("run search on SQLite: order_by", () => {
  it("metrics: real values, then NaN, then missing, in both directions", () => {
    assert.deepEqual(searchRuns("", ["metrics.acc DESC"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(searchRuns("", ["metrics.acc ASC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(searchRuns("", ["metrics.loss"]), ["r4", "r1", "r2", "r3"]);
    assert.deepEqual(searchRuns("", ["metrics.loss DESC"]), ["r1", "r4", "r2", "r3"]);
  });

  it("params/tags: missing last in both directions, ties by start_time DESC then run id", () => {
    assert.deepEqual(searchRuns("", ["params.opt"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(searchRuns("", ["params.opt DESC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(searchRuns("", ["tags.`mlflow.runName` DESC"]), ["r3", "r1", "r2", "r4"]);
  });

  it("attributes: NULL last in both directions", () => {
    assert.deepEqual(searchRuns("", ["attributes.end_time ASC"]), ["r1", "r2", "r4", "r3"]);
    assert.deepEqual(searchRuns("", ["end_time DESC"]), ["r4", "r2", "r1", "r3"]);
    assert.deepEqual(searchRuns("", ["run_name"]), ["r3", "r2", "r1", "r4"]);
  });

  it("explicit start_time replaces the implicit one; run id breaks the tie", () => {
    assert.deepEqual(searchRuns("", ["start_time ASC"]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(searchRuns("", ["created DESC"]), ["r3", "r4", "r2", "r1"]);
  });

  it("several keys, with a filter (join params bind before filter params)", () => {
    assert.deepEqual(searchRuns("", ["params.model DESC", "metrics.acc ASC"]), ["r2", "r1", "r3", "r4"]);
    assert.deepEqual(searchRuns("params.model = 'lr'", ["metrics.acc DESC"]), ["r1", "r3"]);
    assert.deepEqual(searchRuns("tags.env ILIKE 'PROD%' OR params.lr = '0.1'", ["tags.env DESC", "params.lr"]), [
      "r1",
      "r2",
      "r4",
    ]);
  });

  it("pages with offset tokens", () => {
    const order = ["metrics.acc DESC"];
    const offset = decodePageToken(encodePageToken(2));
    assert.deepEqual(searchRuns("", order, 2, 0), ["r1", "r2"]);
    assert.deepEqual(searchRuns("", order, 2, offset), ["r3", "r4"]);
  });
});

describe("experiment search on SQLite", () => {
  it("default order: creation_time DESC, experiment_id ASC; deleted excluded", () => {
    assert.deepEqual(searchExperiments(""), [2, 3, 1]);
  });

  it("LIKE is case-sensitive, ILIKE is not", () => {
    assert.deepEqual(searchExperiments("name LIKE 'team-%'"), [2, 1]);
    assert.deepEqual(searchExperiments("name LIKE 'TEAM-%'"), []);
    assert.deepEqual(searchExperiments("name ILIKE 'TEAM-%'"), [2, 1]);
  });

  it("tag clauses exclude experiments without the tag, even for !=", () => {
    assert.deepEqual(searchExperiments("tags.owner != 'alice'"), [2]);
    assert.deepEqual(searchExperiments("name LIKE 'team-%' AND tags.owner = 'alice'"), [1]);
  });

  it("OR and parentheses", () => {
    assert.deepEqual(searchExperiments("name = 'Other' OR tags.owner = 'alice'"), [3, 1]);
    assert.deepEqual(
      searchExperiments("(creation_time >= 200 AND tags.owner ILIKE 'b%') OR last_update_time = 500"),
      [2, 1],
    );
  });

  it("order_by with the experiment_id tie-break", () => {
    assert.deepEqual(searchExperiments("", ["name ASC"]), [3, 1, 2]);
    assert.deepEqual(searchExperiments("", ["last_update_time DESC"]), [1, 3, 2]);
    assert.deepEqual(searchExperiments("", ["creation_time"]), [1, 3, 2]);
    assert.deepEqual(searchExperiments("", ["creation_time", "experiment_id"]), [1, 2, 3]);
  });
});
