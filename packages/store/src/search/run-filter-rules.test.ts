import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SqlDialect } from "../sql/database.js";
import { buildRunSearchSql } from "./index.js";
import { assertRunFilterRejected, expectedRunSql, runWhere, sqliteTestDialect } from "./search-fixtures.js";

const where = runWhere;
const rejects = assertRunFilterRejected;
const { metric, param, tag } = expectedRunSql;

describe("run filter: further rules", () => {
  it("returns an empty condition for no filter", () => {
    assert.deepEqual(where(""), { sql: "", params: [] });
    assert.deepEqual(buildRunSearchSql(undefined, undefined, sqliteTestDialect).whereSql, "");
  });

  it("keeps string values verbatim (no escape processing)", () => {
    assert.deepEqual(where("params.p = 'it''s'").params, ["p", "it''s"]);
    assert.deepEqual(where('params.p = "a\'b"').params, ["p", "a'b"]);
  });

  it("supports every comparator per type", () => {
    for (const op of ["=", "!=", "<", "<=", ">", ">="]) {
      assert.equal(where(`metrics.m ${op} 1`).sql, metric(op));
      assert.equal(where(`attributes.end_time ${op} 5`).sql, `runs.end_time ${op} ?`);
    }
    for (const op of ["=", "!=", "LIKE"]) {
      assert.equal(where(`params.p ${op} 'v'`).sql, param(`c.value ${op} ?`));
      assert.equal(where(`tags.t ${op.toLowerCase()} 'v'`).sql, tag(`c.value ${op} ?`));
      for (const attr of ["status", "user_id", "artifact_uri"]) {
        assert.equal(where(`${attr} ${op} 'v'`).sql, `runs.${attr} ${op} ?`);
      }
      assert.equal(where(`run_id ${op} 'v'`).sql, `runs.run_uuid ${op} ?`);
    }
    assert.equal(where("user_id ILIKE 'Bob%'").sql, "lower(runs.user_id) LIKE lower(?)");
  });

  it("rejects comparators outside each type's set", () => {
    rejects("params.p < 'v'", "Invalid comparator '<' not one of '{'!=', '=', 'LIKE', 'ILIKE'}'");
    rejects("tags.t NOT LIKE 'v'", "Invalid comparator 'NOT LIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE'}'");
    rejects("status > 'v'", "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'");
    rejects("start_time LIKE 5", "Invalid comparator 'LIKE' not one of '{'>', '>=', '!=', '=', '<', '<='}'");
    rejects("metrics.m <> 1", /^Invalid comparator '<>'/);
    rejects("metrics.m == 1", /^Invalid comparator '=='/);
    rejects("datasets.name > 'x'", /^Invalid comparator '>'/);
  });

  it("rejects numbers for string attributes and datasets", () => {
    rejects("status = 1", "Expected a quoted string value for attributes. Got value 1");
    rejects("datasets.name = 1", "Expected a quoted string value for dataset attributes. Got value 1");
    rejects("metrics.m > ('1')", "Expected numeric value type for metric. Found ('1')");
  });

  it("rejects a list with a comparator other than IN / NOT IN", () => {
    rejects("run_id = ('a')", "Invalid comparator '=' for a list of values. Only 'IN' and 'NOT IN' accept a list.");
  });

  it("validates IN lists: non-empty, single-quoted strings only", () => {
    const empty = "While parsing a list in the query, expected a non-empty list of string values, but got empty list";
    const illFormed =
      "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.";
    rejects("run_id IN ()", empty);
    rejects("run_id IN (1)", illFormed);
    rejects('run_id IN ("a")', illFormed);
    rejects("run_id IN ('a' 'b')", illFormed);
    rejects("run_id IN ('a',)", illFormed);
    rejects(
      "run_id IN ('a', 1)",
      "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)",
    );
    rejects("datasets.name IN ('a', \"b\")", /but got different type in list: \('a', "b"\)$/);
  });

  it("drops run_id list entries that are not lower-case, like MLflow", () => {
    assert.deepEqual(where("run_id IN ('abc', 'ABC', 'aBc', '123', 'a1')"), {
      sql: "runs.run_uuid IN (?, ?)",
      params: ["abc", "a1"],
    });
    assert.deepEqual(where("run_id IN ('ABC')"), { sql: "1 = 0", params: [] });
    assert.deepEqual(where("run_id NOT IN ('ABC')"), { sql: "1 = 1", params: [] });
  });

  it("turns fractional and huge timestamps into exact integer comparisons", () => {
    assert.deepEqual(where("start_time > 1.5"), { sql: "runs.start_time > ?", params: [1] });
    assert.deepEqual(where("start_time >= 1.5"), { sql: "runs.start_time > ?", params: [1] });
    assert.deepEqual(where("start_time < 1.5"), { sql: "runs.start_time < ?", params: [2] });
    assert.deepEqual(where("start_time <= -1.5"), { sql: "runs.start_time < ?", params: [-1] });
    assert.deepEqual(where("start_time = 1.5"), { sql: "1 = 0", params: [] });
    assert.deepEqual(where("start_time != 1.5"), { sql: "runs.start_time IS NOT NULL", params: [] });
    assert.deepEqual(where("end_time < 1e999"), { sql: "runs.end_time IS NOT NULL", params: [] });
    assert.deepEqual(where("end_time > 1e999"), { sql: "1 = 0", params: [] });
    assert.deepEqual(where("end_time > -1e999"), { sql: "runs.end_time IS NOT NULL", params: [] });
    assert.deepEqual(where("end_time <= 1e19"), { sql: "runs.end_time IS NOT NULL", params: [] });
    assert.deepEqual(where("end_time = 1e19"), { sql: "1 = 0", params: [] });
    assert.deepEqual(where("end_time > 9e18"), { sql: "runs.end_time > ?", params: [9e18] });
  });

  it("binds params in placeholder order through nested AND/OR", () => {
    const { sql, params } = where(
      "(params.a = '1' OR (metrics.m > 2 AND tags.t = '3')) AND status = '4' OR run_id IN ('x5', 'x6')",
    );
    assert.equal(
      sql,
      `(((${param()}) OR ((${metric(">")}) AND (${tag()}))) AND (runs.status = ?)) OR (runs.run_uuid IN (?, ?))`,
    );
    assert.deepEqual(params, ["a", "1", "m", 2, "t", "3", "4", "x5", "x6"]);
    assert.equal(sql.split("?").length - 1, params.length);
  });

  it("binds a value once per placeholder of the dialect's comparison", () => {
    const binary: SqlDialect = {
      ...sqliteTestDialect,
      compareString: (column, op) => `(${column} ${op} ? AND BINARY ${column} ${op} ?)`,
    };
    const { sql, params } = where("params.p LIKE 'v%'", binary);
    assert.equal(
      sql,
      param("(c.value LIKE ? AND BINARY c.value LIKE ?)").replace("c.key = ?", "(c.key = ? AND BINARY c.key = ?)"),
    );
    assert.deepEqual(params, ["p", "p", "v%", "v%"]);
  });
});
