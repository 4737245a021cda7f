// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s.close();
});

async function ok(method: string, path: string, body?: Record<string, unknown>) {
  const r = await s.call(method, `${API}${path}`, body);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
}

async function fails(method: string, path: string, body: Record<string, unknown>, status: number, code: string) {
  const r = await s.call(method, `${API}${path}`, body);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  assert.equal(r.json.error_code, code);
  return r.json.message as string;
}

async function newVersion(name: string, extra: Record<string, unknown> = {}) {
  return (await ok("POST", "/model-versions/create", { name, source: "s3://bucket/model", ...extra })).model_version;
}

describe("registered models: create and get", () => {
  it("creates a model with MLflow's fields and tags (duplicate tag keys: last wins)", async () => {
    const before = Date.now();
    const { registered_model: rm } = await ok("POST", "/registered-models/create", {
      name: "churn",
      description: "predicts churn",
      tags: [
        { key: "team", value: "a" },
        { key: "team", value: "ml" },
        { key: "tier", value: "gold" },
      ],
    });
    assert.equal(rm.name, "churn");
    assert.equal(rm.description, "predicts churn");
    assert.deepEqual(rm.tags, [
      { key: "team", value: "ml" },
      { key: "tier", value: "gold" },
    ]);
    assert.ok(rm.creation_timestamp >= before);
    assert.equal(rm.last_updated_timestamp, rm.creation_timestamp);
    assert.equal(rm.latest_versions, undefined);
    assert.equal(rm.aliases, undefined);
    const got = await ok("GET", "/registered-models/get", { name: "churn" });
    assert.deepEqual(got.registered_model, rm);
  });

  it("serves the registry under /ajax-api too", async () => {
    const r = await s.call("GET", "/ajax-api/2.0/mlflow/registered-models/get", { name: "churn" });
    assert.equal(r.status, 200);
    assert.equal(r.json.registered_model.name, "churn");
  });

  it("rejects a duplicate name, a missing or empty name and bad tag keys", async () => {
    const dup = await fails("POST", "/registered-models/create", { name: "churn" }, 400, "RESOURCE_ALREADY_EXISTS");
    assert.equal(dup, "Registered Model (name=churn) already exists.");
    const missing = await fails("POST", "/registered-models/create", {}, 400, "INVALID_PARAMETER_VALUE");
    assert.match(missing, /Missing value for required parameter 'name'/);
    await fails("POST", "/registered-models/create", { name: "" }, 400, "INVALID_PARAMETER_VALUE");
    const badKey = await fails(
      "POST",
      "/registered-models/create",
      { name: "bad-tags", tags: [{ key: "a/../b", value: "x" }] },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(badKey, /Names may be treated as files/);
    await fails(
      "POST",
      "/registered-models/create",
      { name: "long-tag", tags: [{ key: "k", value: "x".repeat(5001) }] },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    // a rejected create leaves nothing behind
    await fails("GET", "/registered-models/get", { name: "bad-tags" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("404s an unknown model with MLflow's message", async () => {
    const msg = await fails("GET", "/registered-models/get", { name: "nope" }, 404, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(msg, "Registered Model with name=nope not found");
  });
});

describe("registered models: update, tags", () => {
  it("update sets the description; an omitted description clears it (MLflow's proto default)", async () => {
    await ok("POST", "/registered-models/create", { name: "upd", description: "old" });
    const before = (await ok("GET", "/registered-models/get", { name: "upd" })).registered_model;
    const { registered_model: rm } = await ok("PATCH", "/registered-models/update", {
      name: "upd",
      description: "new",
    });
    assert.equal(rm.description, "new");
    assert.ok(rm.last_updated_timestamp >= before.last_updated_timestamp);
    const cleared = await ok("PATCH", "/registered-models/update", { name: "upd" });
    assert.equal(cleared.registered_model.description, "");
    await fails(
      "PATCH",
      "/registered-models/update",
      { name: "nope", description: "x" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    const post = await s.call("POST", `${API}/registered-models/update`, { name: "upd" });
    assert.equal(post.status, 405);
  });

  it("set-tag upserts; delete-tag of an absent key is a no-op; both need the model", async () => {
    await ok("POST", "/registered-models/create", { name: "tagged" });
    await ok("POST", "/registered-models/set-tag", { name: "tagged", key: "k", value: "v1" });
    await ok("POST", "/registered-models/set-tag", { name: "tagged", key: "k", value: "v2" });
    let rm = (await ok("GET", "/registered-models/get", { name: "tagged" })).registered_model;
    assert.deepEqual(rm.tags, [{ key: "k", value: "v2" }]);
    await ok("DELETE", "/registered-models/delete-tag", { name: "tagged", key: "k" });
    await ok("DELETE", "/registered-models/delete-tag", { name: "tagged", key: "k" });
    rm = (await ok("GET", "/registered-models/get", { name: "tagged" })).registered_model;
    assert.equal(rm.tags, undefined);
    await fails(
      "POST",
      "/registered-models/set-tag",
      { name: "nope", key: "k", value: "v" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await fails("DELETE", "/registered-models/delete-tag", { name: "nope", key: "k" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("POST", "/registered-models/set-tag", { name: "tagged", value: "v" }, 400, "INVALID_PARAMETER_VALUE");
  });
});

describe("aliases", () => {
  before(async () => {
    await ok("POST", "/registered-models/create", { name: "aliased" });
    await newVersion("aliased");
    await newVersion("aliased");
    await newVersion("aliased");
  });

  it("sets, moves, reads and deletes an alias", async () => {
    await ok("POST", "/registered-models/alias", { name: "aliased", alias: "champion", version: "1" });
    await ok("POST", "/registered-models/alias", { name: "aliased", alias: "challenger", version: "1" });
    let mv = (await ok("GET", "/registered-models/alias", { name: "aliased", alias: "champion" })).model_version;
    assert.equal(mv.version, "1");
    assert.deepEqual(mv.aliases, ["challenger", "champion"]);
    await ok("POST", "/registered-models/alias", { name: "aliased", alias: "champion", version: "2" });
    mv = (await ok("GET", "/registered-models/alias", { name: "aliased", alias: "champion" })).model_version;
    assert.equal(mv.version, "2");
    assert.deepEqual(mv.aliases, ["champion"]);
    const rm = (await ok("GET", "/registered-models/get", { name: "aliased" })).registered_model;
    assert.deepEqual(rm.aliases, [
      { alias: "challenger", version: "1" },
      { alias: "champion", version: "2" },
    ]);
    const v1 = (await ok("GET", "/model-versions/get", { name: "aliased", version: "1" })).model_version;
    assert.deepEqual(v1.aliases, ["challenger"]);
    await ok("DELETE", "/registered-models/alias", { name: "aliased", alias: "challenger" });
    await ok("DELETE", "/registered-models/alias", { name: "aliased", alias: "challenger" });
    const gone = await fails(
      "GET",
      "/registered-models/alias",
      { name: "aliased", alias: "challenger" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(gone, "Registered model alias challenger not found.");
  });

  it("rejects reserved and malformed alias names", async () => {
    const set = (alias: string) =>
      fails(
        "POST",
        "/registered-models/alias",
        { name: "aliased", alias, version: "1" },
        400,
        "INVALID_PARAMETER_VALUE",
      );
    assert.equal(await set("Latest"), "'latest' alias name (case insensitive) is reserved.");
    assert.equal(await set("v12"), "Version alias name 'v12' is reserved.");
    assert.match(await set("has space"), /^Invalid alias name: 'has space'\. Names may only contain alphanumerics/);
    assert.match(await set("a".repeat(256)), /Registered model alias name/);
  });

  it("needs an existing, live version and an integer version string", async () => {
    await fails(
      "POST",
      "/registered-models/alias",
      { name: "aliased", alias: "x", version: "99" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    const bad = await fails(
      "POST",
      "/registered-models/alias",
      { name: "aliased", alias: "x", version: "one" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(bad, "Model version must be an integer, got 'one'");
    await fails(
      "POST",
      "/registered-models/alias",
      { name: "nope", alias: "x", version: "1" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await fails("DELETE", "/registered-models/alias", { name: "nope", alias: "x" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("deleting a version removes the aliases pointing at it", async () => {
    await ok("POST", "/registered-models/alias", { name: "aliased", alias: "doomed", version: "3" });
    await ok("DELETE", "/model-versions/delete", { name: "aliased", version: "3" });
    await fails(
      "GET",
      "/registered-models/alias",
      { name: "aliased", alias: "doomed" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    const rm = (await ok("GET", "/registered-models/get", { name: "aliased" })).registered_model;
    assert.ok(!rm.aliases.some((a: { alias: string }) => a.alias === "doomed"));
  });
});

describe("get-latest-versions", () => {
  before(async () => {
    await ok("POST", "/registered-models/create", { name: "staged" });
    for (let i = 0; i < 5; i++) await newVersion("staged");
    const stage = (version: string, s2: string) =>
      ok("POST", "/model-versions/transition-stage", {
        name: "staged",
        version,
        stage: s2,
        archive_existing_versions: false,
      });
    await stage("1", "Production");
    await stage("2", "staging");
    await stage("3", "Staging");
    await stage("4", "archived");
    await ok("POST", "/registered-models/alias", { name: "staged", alias: "best", version: "3" });
  });

  it("returns the latest version of every stage, or of the requested stages (case-insensitive), with aliases", async () => {
    const all = (await ok("POST", "/registered-models/get-latest-versions", { name: "staged" })).model_versions;
    assert.deepEqual(
      all.map((v: { version: string; current_stage: string }) => [v.version, v.current_stage]),
      [
        ["1", "Production"],
        ["3", "Staging"],
        ["4", "Archived"],
        ["5", "None"],
      ],
    );
    const some = await ok("POST", "/registered-models/get-latest-versions", {
      name: "staged",
      stages: ["staging", "PRODUCTION"],
    });
    assert.deepEqual(
      some.model_versions.map((v: { version: string }) => v.version),
      ["1", "3"],
    );
    assert.deepEqual(some.model_versions[1].aliases, ["best"]);
    const viaGet = await ok("GET", "/registered-models/get-latest-versions", { name: "staged", stages: ["Staging"] });
    assert.deepEqual(
      viaGet.model_versions.map((v: { version: string }) => v.version),
      ["3"],
    );
  });

  it("RegisteredModel.latest_versions holds one version per stage, without aliases", async () => {
    const rm = (await ok("GET", "/registered-models/get", { name: "staged" })).registered_model;
    assert.deepEqual(
      rm.latest_versions.map((v: { version: string }) => v.version),
      ["1", "3", "4", "5"],
    );
    assert.ok(rm.latest_versions.every((v: { aliases?: string[] }) => v.aliases === undefined));
  });

  it("is empty for a model without versions; 404 for an unknown model; 400 for a stage typo", async () => {
    await ok("POST", "/registered-models/create", { name: "empty" });
    assert.deepEqual(await ok("POST", "/registered-models/get-latest-versions", { name: "empty" }), {});
    await fails("POST", "/registered-models/get-latest-versions", { name: "nope" }, 404, "RESOURCE_DOES_NOT_EXIST");
    const typo = await fails(
      "POST",
      "/registered-models/get-latest-versions",
      { name: "staged", stages: ["Prod"] },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(typo, "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.");
  });
});

describe("rename and delete keep the data consistent", () => {
  it("rename moves versions, version tags, model tags, aliases and the audit history", async () => {
    await ok("POST", "/registered-models/create", { name: "old-name", tags: [{ key: "t", value: "1" }] });
    await newVersion("old-name", { tags: [{ key: "vt", value: "x" }] });
    await newVersion("old-name");
    await ok("POST", "/registered-models/alias", { name: "old-name", alias: "prod", version: "2" });
    const { registered_model: rm } = await ok("POST", "/registered-models/rename", {
      name: "old-name",
      new_name: "new-name",
    });
    assert.equal(rm.name, "new-name");
    assert.deepEqual(rm.tags, [{ key: "t", value: "1" }]);
    assert.deepEqual(rm.aliases, [{ alias: "prod", version: "2" }]);
    await fails("GET", "/registered-models/get", { name: "old-name" }, 404, "RESOURCE_DOES_NOT_EXIST");
    const v1 = (await ok("GET", "/model-versions/get", { name: "new-name", version: "1" })).model_version;
    assert.deepEqual(v1.tags, [{ key: "vt", value: "x" }]);
    assert.equal(v1.name, "new-name");
    const byAlias = (await ok("GET", "/registered-models/alias", { name: "new-name", alias: "prod" })).model_version;
    assert.equal(byAlias.version, "2");
    const history = (await s.call("GET", "/api/2.0/mlflow-ts/registry/audit", { name: "new-name" })).json.entries;
    assert.equal(history.length, 1);
    assert.equal(history[0].alias, "prod");
    // the next version continues the numbering under the new name
    assert.equal((await newVersion("new-name")).version, "3");
    await fails("GET", "/registered-models/alias", { name: "old-name", alias: "prod" }, 400, "INVALID_PARAMETER_VALUE");
  });

  it("rename refuses a taken or empty name and an unknown model", async () => {
    await ok("POST", "/registered-models/create", { name: "taken" });
    await ok("POST", "/registered-models/create", { name: "mover" });
    const msg = await fails(
      "POST",
      "/registered-models/rename",
      { name: "mover", new_name: "taken" },
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
    assert.equal(msg, "Registered Model (name=taken) already exists.");
    await fails("POST", "/registered-models/rename", { name: "mover", new_name: "" }, 400, "INVALID_PARAMETER_VALUE");
    await fails("POST", "/registered-models/rename", { name: "nope", new_name: "x" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("delete removes the model with all versions, tags and aliases; the name can be reused from version 1", async () => {
    await ok("POST", "/registered-models/create", { name: "doomed", tags: [{ key: "a", value: "b" }] });
    await newVersion("doomed", { tags: [{ key: "x", value: "y" }] });
    await newVersion("doomed");
    await ok("DELETE", "/model-versions/delete", { name: "doomed", version: "2" });
    await ok("POST", "/registered-models/alias", { name: "doomed", alias: "a1", version: "1" });
    await ok("DELETE", "/registered-models/delete", { name: "doomed" });
    await fails("GET", "/registered-models/get", { name: "doomed" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("GET", "/model-versions/get", { name: "doomed", version: "1" }, 404, "RESOURCE_DOES_NOT_EXIST");
    const db = s.running.registry as unknown as { db: { all: (sql: string, p: unknown[]) => Promise<unknown[]> } };
    for (const table of ["model_versions", "model_version_tags", "registered_model_tags", "registered_model_aliases"]) {
      assert.deepEqual(await db.db.all(`SELECT * FROM ${table} WHERE name = ?`, ["doomed"]), [], table);
    }
    await fails("DELETE", "/registered-models/delete", { name: "doomed" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await ok("POST", "/registered-models/create", { name: "doomed" });
    assert.equal((await newVersion("doomed")).version, "1");
  });
});
