import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildModelVersionSearchSql, buildRegisteredModelSearchSql } from "./index.js";
import { assertInvalidParameter, sqliteTestDialect } from "./search-fixtures.js";

const rm = (filter?: string, orderBy?: string[]) => buildRegisteredModelSearchSql(filter, orderBy, sqliteTestDialect);
const mv = (filter?: string, orderBy?: string[]) => buildModelVersionSearchSql(filter, orderBy, sqliteTestDialect);

const RM_PROMPTS =
  "NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE p.name = registered_models.name AND p.key = ? AND p.value = ?)";
const MV_PROMPTS = `${RM_PROMPTS.replace("registered_models.name", "model_versions.name")} AND NOT EXISTS (SELECT 1 FROM model_version_tags p WHERE p.name = model_versions.name AND p.key = ? AND p.value = ?)`;
const PROMPT = ["mlflow.prompt.is_prompt", "true"];

describe("registered model search SQL", () => {
  it("hides prompts when nothing is filtered and orders by name", () => {
    assert.deepEqual(rm(), { whereSql: RM_PROMPTS, whereParams: PROMPT, orderSql: "registered_models.name ASC" });
  });

  it("renders name comparisons and tag EXISTS clauses, with OR", () => {
    const { whereSql, whereParams } = rm("name ILIKE '%a%' OR tags.team = 'ml'");
    assert.equal(
      whereSql,
      "((lower(registered_models.name) LIKE lower(?)) OR (EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = registered_models.name AND t.key = ? AND t.value = ?))) AND " +
        RM_PROMPTS,
    );
    assert.deepEqual(whereParams, ["%a%", "team", "ml", ...PROMPT]);
  });

  it("asking for prompts drops the exclusion; a prompt clause that does not ask is dropped", () => {
    const asks = rm("tags.`mlflow.prompt.is_prompt` = 'TRUE'");
    assert.ok(!asks.whereSql.includes("NOT EXISTS"));
    assert.deepEqual(asks.whereParams, ["mlflow.prompt.is_prompt", "TRUE"]);
    const not = rm("tags.`mlflow.prompt.is_prompt` = 'false'");
    assert.equal(not.whereSql, `(1 = 1) AND ${RM_PROMPTS}`);
  });

  it("orders by last-updated time for both timestamp keys", () => {
    assert.equal(
      rm(undefined, ["timestamp DESC"]).orderSql,
      "registered_models.last_updated_time DESC, registered_models.name ASC",
    );
    assert.equal(rm(undefined, ["name DESC"]).orderSql, "registered_models.name DESC");
    assertInvalidParameter(() => rm(undefined, ["timestamp", "last_updated_timestamp"]), /duplicate fields/);
    assertInvalidParameter(
      () => rm(undefined, ["creation_timestamp"]),
      "Invalid order by key 'creation_timestamp' specified.Valid keys are '['name', 'last_updated_timestamp']'",
    );
  });
});

describe("model version search SQL", () => {
  it("defaults to last_updated DESC, name ASC, version DESC", () => {
    assert.equal(
      mv().orderSql,
      "model_versions.last_updated_time DESC, model_versions.name ASC, model_versions.version DESC",
    );
    assert.equal(mv(undefined, ["version_number"]).orderSql, "model_versions.version ASC, model_versions.name ASC");
  });

  it("renders numeric version, run_id lists (upper-case ids dropped) and source_path", () => {
    const { whereSql, whereParams } = mv(
      "version_number >= 2 AND run_id IN ('abc', 'DEF') AND source_path LIKE 's3://%'",
    );
    assert.equal(
      whereSql,
      `((model_versions.version >= ?) AND (model_versions.run_id IN (?)) AND (model_versions.source LIKE ?)) AND ${MV_PROMPTS}`,
    );
    assert.deepEqual(whereParams, [2, "abc", "s3://%", ...PROMPT, ...PROMPT]);
    assert.ok(mv("run_id IN ('ABC')").whereSql.startsWith("(1 = 0)"));
  });

  it("rejects what MLflow rejects", () => {
    assertInvalidParameter(() => mv("name IN ('a')"), /Only the 'run_id' attribute/);
    assertInvalidParameter(() => mv("run_id NOT IN ('a')"), "Invalid comparator for attribute: NOT IN");
    assertInvalidParameter(
      () => mv("version_number = '1'"),
      /Expected numeric value type for numeric attribute: version_number/,
    );
    assertInvalidParameter(() => mv("current_stage = 'None'"), /Invalid attribute key 'current_stage'/);
    assertInvalidParameter(() => mv("metrics.a > 1"), /Invalid entity type 'metrics'/);
  });
});
