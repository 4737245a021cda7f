import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildExperimentSearchSql } from "./index.js";
import { assertInvalidParameter, sqliteTestDialect } from "./search-fixtures.js";

function where(filter: string) {
  const { whereSql, whereParams } = buildExperimentSearchSql(filter, undefined, sqliteTestDialect);
  return { sql: whereSql, params: whereParams };
}

const order = (orderBy: readonly string[] | undefined) =>
  buildExperimentSearchSql(undefined, orderBy, sqliteTestDialect).orderSql;

function rejects(filter: string | undefined, orderBy: readonly string[] | undefined, message: string | RegExp) {
  assertInvalidParameter(() => buildExperimentSearchSql(filter, orderBy, sqliteTestDialect), message);
}

const tag = (cmp = "et.value = ?") =>
  "EXISTS (SELECT 1 FROM experiment_tags et WHERE et.experiment_id = experiments.experiment_id " +
  `AND et.key = ? AND ${cmp})`;

describe("experiment filter: the reference's examples (§7)", () => {
  it("name LIKE 'team-%' AND tags.owner = 'alice'", () => {
    assert.deepEqual(where("name LIKE 'team-%' AND tags.owner = 'alice'"), {
      sql: `(experiments.name LIKE ?) AND (${tag()})`,
      params: ["team-%", "owner", "alice"],
    });
  });

  it("creation_time > 1700000000000", () => {
    assert.deepEqual(where("creation_time > 1700000000000"), {
      sql: "experiments.creation_time > ?",
      params: [1700000000000],
    });
  });

  it("attributes.name = 'x' (and attribute.name) are accepted", () => {
    const expected = { sql: "experiments.name = ?", params: ["x"] };
    assert.deepEqual(where("attributes.name = 'x'"), expected);
    assert.deepEqual(where("attribute.name = 'x'"), expected);
    assert.deepEqual(where('name = "x"'), expected);
  });

  it("experiment_id = '1' is rejected", () => {
    rejects(
      "experiment_id = '1'",
      undefined,
      "Invalid attribute key 'experiment_id' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'",
    );
  });
});

describe("experiment filter: further rules", () => {
  it("returns an empty condition for no filter", () => {
    assert.deepEqual(where(""), { sql: "", params: [] });
  });

  it("supports tag/tags prefixes, quoted keys and every string comparator", () => {
    assert.deepEqual(where("tag.`my key` ILIKE 'A%'"), {
      sql: tag("lower(et.value) LIKE lower(?)"),
      params: ["my key", "A%"],
    });
    assert.deepEqual(where("tags.\"a.b\" != 'x'").params, ["a.b", "x"]);
    assert.equal(where("name ILIKE '%x%'").sql, "lower(experiments.name) LIKE lower(?)");
    assert.equal(where("last_update_time <= 5").sql, "experiments.last_update_time <= ?");
  });

  it("accepts OR and parentheses (extension)", () => {
    assert.deepEqual(where("name = 'a' OR (tags.t = 'b' AND creation_time >= 3)"), {
      sql: `(experiments.name = ?) OR ((${tag()}) AND (experiments.creation_time >= ?))`,
      params: ["a", "t", "b", 3],
    });
  });

  it("rejects other entity types", () => {
    rejects(
      "metrics.a > 1",
      undefined,
      "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'attributes', 'tag', 'tags')",
    );
    rejects("params.a = 'x'", undefined, /^Invalid entity type 'params'/);
  });

  it("rejects wrong value types and comparators with MLflow's messages", () => {
    rejects("name = 1", undefined, "Expected a quoted string value for attributes. Got value 1");
    rejects("name = x", undefined, /^Parameter value is either not quoted/);
    rejects("tags.t = 1", undefined, "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1");
    rejects(
      "creation_time > 'x'",
      undefined,
      "Expected numeric value type for numeric attribute: creation_time. Found 'x'",
    );
    rejects("name < 'x'", undefined, "Invalid comparator for string attribute: <");
    rejects("tags.t > 'x'", undefined, "Invalid comparator for tag: >");
    rejects("creation_time LIKE 5", undefined, "Invalid comparator for numeric attribute: LIKE");
    rejects(
      "name IN ('a')",
      undefined,
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    rejects("name = 'a' AND", undefined, "Invalid clause(s) in filter string: 'AND'");
  });
});

describe("experiment order_by", () => {
  it("defaults to creation_time DESC, experiment_id ASC", () => {
    const expected = "experiments.creation_time DESC, experiments.experiment_id ASC";
    assert.equal(order(undefined), expected);
    assert.equal(order([]), expected);
  });

  it('["name ASC"] and ["last_update_time DESC"] (§8), with the experiment_id tie-break', () => {
    assert.equal(order(["name ASC"]), "experiments.name ASC, experiments.experiment_id DESC");
    assert.equal(order(["last_update_time DESC"]), "experiments.last_update_time DESC, experiments.experiment_id DESC");
  });

  it("does not append experiment_id when ordered explicitly", () => {
    assert.equal(order(["experiment_id asc", "name"]), "experiments.experiment_id ASC, experiments.name ASC");
    assert.equal(order(["attribute.creation_time"]), "experiments.creation_time ASC, experiments.experiment_id DESC");
  });

  it("rejects other keys and entities", () => {
    rejects(undefined, ["tags.t"], "Invalid order_by entity: tag");
    rejects(
      undefined,
      ["artifact_location"],
      "Invalid attribute key 'artifact_location' specified. " +
        "Valid keys are '{'name', 'experiment_id', 'creation_time', 'last_update_time'}'",
    );
    rejects(undefined, ["name UP"], "Invalid ordering key in order_by clause 'name UP'.");
  });
});
