import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MlflowError } from "@mlflow-ts/protocol";
import type { SqlDialect } from "../sql/database.js";
import { buildRunSearchSql } from "./index.js";
import { sqliteTestDialect } from "./sqlite-dialect.fixture.js";

function where(filter: string, dialect: SqlDialect = sqliteTestDialect) {
  const { whereSql, whereParams } = buildRunSearchSql(filter, undefined, dialect);
  return { sql: whereSql, params: whereParams };
}

function rejects(filter: string, message: string | RegExp): void {
  assert.throws(
    () => buildRunSearchSql(filter, undefined, sqliteTestDialect),
    (e: unknown) => {
      assert.ok(e instanceof MlflowError, `not an MlflowError: ${String(e)}`);
      assert.equal(e.errorCode, "INVALID_PARAMETER_VALUE");
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
    filter,
  );
}

const keyed = (table: string, cmp: string) =>
  `EXISTS (SELECT 1 FROM ${table} c WHERE c.run_uuid = runs.run_uuid AND c.key = ? AND ${cmp})`;
const metric = (op: string) => keyed("latest_metrics", `c.value ${op} ?`);
const param = (cmp = "c.value = ?") => keyed("params", cmp);
const tag = (cmp = "c.value = ?") => keyed("tags", cmp);
const DATASETS =
  "FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.destination_id = runs.run_uuid " +
  "AND i.source_type = 'DATASET' AND i.destination_type = 'RUN'";

describe("run filter: the reference's example filters (§7)", () => {
  it("metrics.rmse < 1 and params.model = 'lr'", () => {
    assert.deepEqual(where("metrics.rmse < 1 and params.model = 'lr'"), {
      sql: `(${metric("<")}) AND (${param()})`,
      params: ["rmse", 1, "model", "lr"],
    });
  });

  it("metrics.accuracy >= 0.9 AND tags.env ILIKE 'prod%'", () => {
    assert.deepEqual(where("metrics.accuracy >= 0.9 AND tags.env ILIKE 'prod%'"), {
      sql: `(${metric(">=")}) AND (${tag("lower(c.value) LIKE lower(?)")})`,
      params: ["accuracy", 0.9, "env", "prod%"],
    });
  });

  it('params.lr = "0.01" (double-quoted value)', () => {
    assert.deepEqual(where('params.lr = "0.01"'), { sql: param(), params: ["lr", "0.01"] });
  });

  it("params.lr = 0.01 is rejected", () => {
    rejects("params.lr = 0.01", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.01");
  });

  it("metrics.acc > '0.9' is rejected", () => {
    rejects("metrics.acc > '0.9'", "Expected numeric value type for metric. Found '0.9'");
  });

  it("metrics.loss > -1.5 (negative literal)", () => {
    assert.deepEqual(where("metrics.loss > -1.5"), { sql: metric(">"), params: ["loss", -1.5] });
  });

  it('metrics."f1-score" > 0.5 and metrics.`f1-score` > 0.5 (quoted keys)', () => {
    const expected = { sql: metric(">"), params: ["f1-score", 0.5] };
    assert.deepEqual(where('metrics."f1-score" > 0.5'), expected);
    assert.deepEqual(where("metrics.`f1-score` > 0.5"), expected);
  });

  it("metrics.f1-score > 0.5 is rejected", () => {
    rejects("metrics.f1-score > 0.5", /^Invalid clause\(s\) in filter string: 'metrics.f1', '-'/);
  });

  it("params.a.b = 'x' has key a.b", () => {
    assert.deepEqual(where("params.a.b = 'x'"), { sql: param(), params: ["a.b", "x"] });
  });

  it("attributes.status / status / run.status / attr.status are equivalent", () => {
    const expected = { sql: "runs.status = ?", params: ["FINISHED"] };
    for (const f of ["attributes.status", "status", "run.status", "attr.status", "attribute.status", "`run`.status"]) {
      assert.deepEqual(where(`${f} = 'FINISHED'`), expected, f);
    }
  });

  it("attributes.run_id IN (...) and NOT IN (...)", () => {
    assert.deepEqual(where("attributes.run_id IN ('6f1c...', '9a2b...')"), {
      sql: "runs.run_uuid IN (?, ?)",
      params: ["6f1c...", "9a2b..."],
    });
    assert.deepEqual(where("attributes.run_id NOT IN ('6f1c...')"), {
      sql: "runs.run_uuid NOT IN (?)",
      params: ["6f1c..."],
    });
  });

  it("attributes.status IN (...) is rejected (list only for run_id)", () => {
    rejects(
      "attributes.status IN ('FINISHED','FAILED')",
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
  });

  it("params.opt IN ('adam') is rejected", () => {
    rejects(
      "params.opt IN ('adam')",
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('adam')",
    );
    rejects("tags.t NOT IN ('a')", "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')");
  });

  it("attributes.run_name and its aliases compare the mlflow.runName tag", () => {
    const expected = { sql: tag(), params: ["mlflow.runName", "bright-fox-123"] };
    for (const f of ["attributes.run_name", "run_name", "`Run Name`", "`Run name`", '"run name"', "attr.`Run Name`"]) {
      assert.deepEqual(where(`${f} = 'bright-fox-123'`), expected, f);
    }
    assert.deepEqual(where("run_name LIKE '%fox%'"), {
      sql: tag("c.value LIKE ?"),
      params: ["mlflow.runName", "%fox%"],
    });
  });

  it("attributes.start_time > N and created > N are equivalent", () => {
    const expected = { sql: "runs.start_time > ?", params: [1700000000000] };
    assert.deepEqual(where("attributes.start_time > 1700000000000"), expected);
    assert.deepEqual(where("created > 1700000000000"), expected);
    assert.deepEqual(where("Created > 1700000000000"), expected);
    assert.deepEqual(where("attributes.end_time <= 1.7e12"), {
      sql: "runs.end_time <= ?",
      params: [1700000000000],
    });
  });

  it("attributes.start_time > '2024-01-01' is rejected", () => {
    rejects(
      "attributes.start_time > '2024-01-01'",
      "Expected numeric value type for numeric attribute: start_time. Found '2024-01-01'",
    );
    rejects("created > '1'", "Expected numeric value type for numeric attribute: created. Found '1'");
  });

  it("attributes.foo = 'x' is rejected", () => {
    rejects(
      "attributes.foo = 'x'",
      "Invalid attribute key 'foo' specified. Valid keys are '{'run_id', 'run_name', 'status', 'user_id', " +
        "'artifact_uri', 'start_time', 'end_time', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'",
    );
    rejects("STATUS = 'x'", /^Invalid attribute key 'STATUS' specified/);
    rejects("experiment_id = '1'", /^Invalid attribute key 'experiment_id' specified/);
  });

  it("tags.mlflow.source.type = 'LOCAL' (dotted key, unquoted or backticked)", () => {
    const expected = { sql: tag(), params: ["mlflow.source.type", "LOCAL"] };
    assert.deepEqual(where("tags.mlflow.source.type = 'LOCAL'"), expected);
    assert.deepEqual(where("tags.`mlflow.source.type` = 'LOCAL'"), expected);
    assert.deepEqual(where("tags.\"mlflow.source.type\" = 'LOCAL'"), expected);
  });

  it("tags.`mlflow.runName` LIKE '%fox%'", () => {
    assert.deepEqual(where("tags.`mlflow.runName` LIKE '%fox%'"), {
      sql: tag("c.value LIKE ?"),
      params: ["mlflow.runName", "%fox%"],
    });
  });

  it("datasets.name = 'iris' AND datasets.context = 'training'", () => {
    const context =
      "EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id " +
      "JOIN input_tags it ON it.input_uuid = i.input_uuid WHERE i.destination_id = runs.run_uuid " +
      "AND i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND it.name = ? AND it.value = ?)";
    assert.deepEqual(where("datasets.name = 'iris' AND datasets.context = 'training'"), {
      sql: `(EXISTS (SELECT 1 ${DATASETS} AND d.name = ?)) AND (${context})`,
      params: ["iris", "mlflow.data.context", "training"],
    });
  });

  it("datasets.digest IN ('abc','def') and NOT IN", () => {
    assert.deepEqual(where("datasets.digest IN ('abc','def')"), {
      sql: `EXISTS (SELECT 1 ${DATASETS} AND (d.digest = ? OR d.digest = ?))`,
      params: ["abc", "def"],
    });
    assert.deepEqual(where("dataset.name NOT IN ('Iris', 'wine')"), {
      sql: `EXISTS (SELECT 1 ${DATASETS} AND (d.name != ? AND d.name != ?))`,
      params: ["Iris", "wine"],
    });
  });

  it("datasets.schema = 'x' is rejected", () => {
    rejects(
      "datasets.schema = 'x'",
      "Invalid dataset key 'schema' specified. Valid keys are '{'name', 'digest', 'context'}'",
    );
  });

  it("OR and parentheses, rejected by MLflow, are accepted here (extension)", () => {
    assert.deepEqual(where("metrics.acc > 0.9 OR metrics.loss < 0.1"), {
      sql: `(${metric(">")}) OR (${metric("<")})`,
      params: ["acc", 0.9, "loss", 0.1],
    });
    assert.deepEqual(where("(metrics.acc > 0.9)"), { sql: metric(">"), params: ["acc", 0.9] });
  });

  it("metrics.acc > 0.9 AND (dangling) is rejected", () => {
    rejects("metrics.acc > 0.9 AND", "Invalid clause(s) in filter string: 'AND'");
  });

  it("metric.acc LIKE ... is rejected", () => {
    // MLflow checks the value type before the comparator.
    rejects("metric.acc LIKE '0.9%'", "Expected numeric value type for metric. Found '0.9%'");
    rejects("metric.acc LIKE 0.9", "Invalid comparator 'LIKE' not one of '{'>', '>=', '!=', '=', '<', '<='}'");
  });

  it("params.model = lr (unquoted string) is rejected", () => {
    rejects(
      "params.model = lr",
      "Parameter value is either not quoted or unidentified quote types used for string value lr. " +
        "Use either single or double quotes.",
    );
    rejects("status = `FINISHED`", /string value `FINISHED`\. Use either single or double quotes\.$/);
  });

  it("foo.bar = 'x' is rejected", () => {
    rejects(
      "foo.bar = 'x'",
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    );
    rejects("METRICS.a > 1", /^Invalid entity type 'METRICS'/);
  });

  it("params.x != 'a' is an EXISTS, so runs without x are excluded", () => {
    assert.deepEqual(where("params.x != 'a'"), { sql: param("c.value != ?"), params: ["x", "a"] });
  });
});

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
