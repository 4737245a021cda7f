import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRunFilterRejected, expectedRunSql, runWhere } from "./search-fixtures.js";

const where = runWhere;
const rejects = assertRunFilterRejected;
const { metric, param, tag, datasetInputs: DATASETS } = expectedRunSql;

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
