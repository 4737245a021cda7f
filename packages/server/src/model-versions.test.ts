// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
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

async function model(name: string) {
  await ok("POST", "/registered-models/create", { name });
}

async function newVersion(name: string, extra: Record<string, unknown> = {}) {
  return (await ok("POST", "/model-versions/create", { name, source: "s3://bucket/model", ...extra })).model_version;
}

async function newRun(experimentId = "0"): Promise<{ run_id: string; artifact_uri: string }> {
  return (await ok("POST", "/runs/create", { experiment_id: experimentId })).run.info;
}

describe("model versions: create and get", () => {
  it("creates READY versions in stage None with MLflow's fields, bumping the model's last_updated", async () => {
    await model("mv");
    const run = await newRun();
    const rmBefore = (await ok("GET", "/registered-models/get", { name: "mv" })).registered_model;
    const mv = await newVersion("mv", {
      source: `${run.artifact_uri}/model`,
      run_id: run.run_id,
      run_link: "http://ui/run",
      description: "first",
      tags: [{ key: "k", value: "v" }],
    });
    assert.equal(mv.name, "mv");
    assert.equal(mv.version, "1");
    assert.equal(mv.current_stage, "None");
    assert.equal(mv.status, "READY");
    assert.equal(mv.status_message, undefined);
    assert.equal(mv.source, `${run.artifact_uri}/model`);
    assert.equal(mv.run_id, run.run_id);
    assert.equal(mv.run_link, "http://ui/run");
    assert.equal(mv.description, "first");
    assert.deepEqual(mv.tags, [{ key: "k", value: "v" }]);
    assert.equal(mv.creation_timestamp, mv.last_updated_timestamp);
    const rm = (await ok("GET", "/registered-models/get", { name: "mv" })).registered_model;
    assert.ok(rm.last_updated_timestamp >= rmBefore.last_updated_timestamp);
    assert.equal(rm.last_updated_timestamp, mv.creation_timestamp);
    const got = (await ok("GET", "/model-versions/get", { name: "mv", version: "1" })).model_version;
    assert.deepEqual(got, mv);
  });

  it("requires the registered model, a source, and valid tags", async () => {
    await fails("POST", "/model-versions/create", { name: "nope", source: "s3://b/m" }, 404, "RESOURCE_DOES_NOT_EXIST");
    const missing = await fails("POST", "/model-versions/create", { name: "mv" }, 400, "INVALID_PARAMETER_VALUE");
    assert.match(missing, /Missing value for required parameter 'source'/);
    await fails(
      "POST",
      "/model-versions/create",
      { name: "mv", source: "s3://b/m", tags: [{ key: "k", value: "x".repeat(5001) }] },
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("get: bad version string → 400, unknown version or model → 404", async () => {
    const bad = await fails(
      "GET",
      "/model-versions/get",
      { name: "mv", version: "abc" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(bad, "Model version must be an integer, got 'abc'");
    const missing = await fails(
      "GET",
      "/model-versions/get",
      { name: "mv", version: "42" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.equal(missing, "Model Version (name=mv, version=42) not found");
    await fails("GET", "/model-versions/get", { name: "nope", version: "1" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails("GET", "/model-versions/get", { name: "mv" }, 400, "INVALID_PARAMETER_VALUE");
  });
});

describe("model versions: numbering", () => {
  it("numbers are 1 + the highest ever created: soft-deleted numbers are never reused", async () => {
    await model("numbered");
    for (let i = 1; i <= 3; i++) assert.equal((await newVersion("numbered")).version, String(i));
    await ok("DELETE", "/model-versions/delete", { name: "numbered", version: "3" });
    assert.equal((await newVersion("numbered")).version, "4");
  });

  it("16 concurrent creates for one model get versions 1..16 exactly", async () => {
    await model("concurrent");
    const created = await Promise.all(
      Array.from({ length: 16 }, (_, i) => newVersion("concurrent", { source: `s3://bucket/m${i}` })),
    );
    const numbers = created.map((v) => Number(v.version)).sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    const listed = await ok("GET", "/model-versions/search", { filter: "name = 'concurrent'" });
    assert.equal(listed.model_versions.length, 16);
    // each version kept its own source
    const bySource = new Map(
      listed.model_versions.map((v: { source: string; version: string }) => [v.source, v.version]),
    );
    for (const v of created) assert.equal(bySource.get(v.source), v.version);
  });

  it("concurrent registration of the same new model from many clients (create model, tolerate exists, create version)", async () => {
    const register = async (i: number) => {
      const c = await s.call("POST", `${API}/registered-models/create`, { name: "racy" });
      assert.ok(c.status === 200 || c.json.error_code === "RESOURCE_ALREADY_EXISTS", c.text);
      return newVersion("racy", { source: `s3://bucket/racy-${i}` });
    };
    const versions = await Promise.all(Array.from({ length: 12 }, (_, i) => register(i)));
    assert.deepEqual(
      versions.map((v) => Number(v.version)).sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });
});

describe("model versions: update, stages, delete", () => {
  before(async () => {
    await model("life");
    for (let i = 0; i < 4; i++) await newVersion("life");
  });

  it("update changes the description only when given", async () => {
    const { model_version: mv } = await ok("PATCH", "/model-versions/update", {
      name: "life",
      version: "1",
      description: "d",
    });
    assert.equal(mv.description, "d");
    const kept = await ok("PATCH", "/model-versions/update", { name: "life", version: "1" });
    assert.equal(kept.model_version.description, "d");
    assert.ok(kept.model_version.last_updated_timestamp >= mv.last_updated_timestamp);
    await fails(
      "PATCH",
      "/model-versions/update",
      { name: "life", version: "9", description: "x" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("transition-stage canonicalises the stage and archives others on request", async () => {
    const t = (version: string, stage: string, archive = false) =>
      ok("POST", "/model-versions/transition-stage", {
        name: "life",
        version,
        stage,
        archive_existing_versions: archive,
      });
    assert.equal((await t("1", "production")).model_version.current_stage, "Production");
    assert.equal((await t("2", "PRODUCTION")).model_version.current_stage, "Production");
    const third = await t("3", "Production", true);
    assert.equal(third.model_version.current_stage, "Production");
    const stages = (
      await ok("GET", "/model-versions/search", { filter: "name = 'life'", order_by: ["version_number ASC"] })
    ).model_versions.map((v: { current_stage: string }) => v.current_stage);
    assert.deepEqual(stages, ["Archived", "Archived", "Production", "None"]);
    // omitted archive_existing_versions means false
    const omitted = await ok("POST", "/model-versions/transition-stage", {
      name: "life",
      version: "4",
      stage: "Staging",
    });
    assert.equal(omitted.model_version.current_stage, "Staging");
  });

  it("transition-stage errors: stage typo, archiving into a non-active stage, unknown version", async () => {
    const typo = await fails(
      "POST",
      "/model-versions/transition-stage",
      { name: "life", version: "1", stage: "Prodution", archive_existing_versions: false },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(
      typo,
      "Invalid Model Version stage: Prodution. Value must be one of None, Staging, Production, Archived.",
    );
    const archive = await fails(
      "POST",
      "/model-versions/transition-stage",
      { name: "life", version: "1", stage: "Archived", archive_existing_versions: true },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(archive, /cannot archive existing model versions because 'Archived' is not an Active stage/);
    await fails(
      "POST",
      "/model-versions/transition-stage",
      { name: "life", version: "7", stage: "Staging", archive_existing_versions: false },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await fails(
      "POST",
      "/model-versions/transition-stage",
      { name: "life", version: "x", stage: "Staging" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("delete is a soft delete: redacted row kept, version gone from every API", async () => {
    await ok("POST", "/model-versions/set-tag", { name: "life", version: "4", key: "kept", value: "yes" });
    await ok("DELETE", "/model-versions/delete", { name: "life", version: "4" });
    await fails("GET", "/model-versions/get", { name: "life", version: "4" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails(
      "GET",
      "/model-versions/get-download-uri",
      { name: "life", version: "4" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await fails("DELETE", "/model-versions/delete", { name: "life", version: "4" }, 404, "RESOURCE_DOES_NOT_EXIST");
    await fails(
      "POST",
      "/model-versions/set-tag",
      { name: "life", version: "4", key: "a", value: "b" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    const search = await ok("GET", "/model-versions/search", { filter: "name = 'life'" });
    assert.ok(!search.model_versions.some((v: { version: string }) => v.version === "4"));
    const latest = (await ok("GET", "/registered-models/get", { name: "life" })).registered_model.latest_versions;
    assert.ok(!latest.some((v: { version: string }) => v.version === "4"));
    const db = (s.running.registry as unknown as { db: { get: (q: string, p: unknown[]) => Promise<unknown> } }).db;
    const row = await db.get(
      "SELECT current_stage, source, run_id, run_link, description FROM model_versions WHERE name = ? AND version = 4",
      ["life"],
    );
    assert.deepEqual(row, {
      current_stage: "Deleted_Internal",
      source: "REDACTED-SOURCE-PATH",
      run_id: "REDACTED-RUN-ID",
      run_link: "REDACTED-RUN-LINK",
      description: null,
    });
    const tag = await db.get("SELECT value FROM model_version_tags WHERE name = ? AND version = 4", ["life"]);
    assert.deepEqual(tag, { value: "yes" });
  });
});

describe("model version tags", () => {
  it("set-tag upserts; delete-tag of an absent key is a no-op; both need a live version", async () => {
    await model("mvtags");
    await newVersion("mvtags");
    await ok("POST", "/model-versions/set-tag", { name: "mvtags", version: "1", key: "k", value: "1" });
    await ok("POST", "/model-versions/set-tag", { name: "mvtags", version: "1", key: "k", value: "2" });
    let mv = (await ok("GET", "/model-versions/get", { name: "mvtags", version: "1" })).model_version;
    assert.deepEqual(mv.tags, [{ key: "k", value: "2" }]);
    await ok("DELETE", "/model-versions/delete-tag", { name: "mvtags", version: "1", key: "k" });
    await ok("DELETE", "/model-versions/delete-tag", { name: "mvtags", version: "1", key: "k" });
    mv = (await ok("GET", "/model-versions/get", { name: "mvtags", version: "1" })).model_version;
    assert.equal(mv.tags, undefined);
    await fails(
      "DELETE",
      "/model-versions/delete-tag",
      { name: "mvtags", version: "2", key: "k" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await fails(
      "POST",
      "/model-versions/set-tag",
      { name: "mvtags", version: "v1", key: "k", value: "x" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await fails(
      "POST",
      "/model-versions/set-tag",
      { name: "mvtags", version: "1", key: "../x", value: "x" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

describe("sources, download URIs and models:/ sources", () => {
  it("get-download-uri returns the source; a models:/ source is resolved to that version's location", async () => {
    await model("src");
    await newVersion("src", { source: "s3://bucket/src/v1" });
    await newVersion("src", { source: "s3://bucket/src/v2" });
    await ok("POST", "/registered-models/alias", { name: "src", alias: "champion", version: "1" });
    await ok("POST", "/model-versions/transition-stage", {
      name: "src",
      version: "2",
      stage: "Staging",
      archive_existing_versions: false,
    });
    const uri = async (version: string) =>
      (await ok("GET", "/model-versions/get-download-uri", { name: "src", version })).artifact_uri;
    assert.equal(await uri("1"), "s3://bucket/src/v1");
    await model("copy");
    const cases: [string, string][] = [
      ["models:/src/1", "s3://bucket/src/v1"],
      ["models:/src@champion", "s3://bucket/src/v1"],
      ["models:/src/staging", "s3://bucket/src/v2"],
      ["models:/src/latest", "s3://bucket/src/v2"],
    ];
    for (const [i, [source, location]] of cases.entries()) {
      const mv = await newVersion("copy", { source });
      assert.equal(mv.source, source);
      assert.equal(
        await (async () =>
          (await ok("GET", "/model-versions/get-download-uri", { name: "copy", version: String(i + 1) }))
            .artifact_uri)(),
        location,
      );
    }
    const unknown = await fails(
      "POST",
      "/model-versions/create",
      { name: "copy", source: "models:/src@nope" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(unknown, /Unable to fetch model from model URI source artifact location 'models:\/src@nope'/);
  });

  it("local sources need a run whose local artifact directory contains them", async () => {
    await model("local");
    const dir = s.dir;
    const exp = await ok("POST", "/experiments/create", { name: "local-exp", artifact_location: `${dir}/runs` });
    const run = await newRun(exp.experiment_id);
    assert.ok(run.artifact_uri.startsWith("file://"));
    const inside = `${run.artifact_uri}/model`;
    assert.equal((await newVersion("local", { source: inside, run_id: run.run_id })).source, inside);
    const plainPath = new URL(inside).pathname;
    await newVersion("local", { source: plainPath, run_id: run.run_id });
    const noRun = await fails(
      "POST",
      "/model-versions/create",
      { name: "local", source: plainPath },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(
      noRun,
      /To use a local path as a model version source, the run_id request parameter has to be specified/,
    );
    const outside = pathToFileURL(`${dir}/elsewhere/model`).href;
    await fails(
      "POST",
      "/model-versions/create",
      { name: "local", source: outside, run_id: run.run_id },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await fails(
      "POST",
      "/model-versions/create",
      { name: "local", source: `${plainPath}/../../..`, run_id: run.run_id },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    // a run whose artifacts are not local cannot vouch for a local path
    const remote = await newRun();
    await fails(
      "POST",
      "/model-versions/create",
      { name: "local", source: "/tmp/model", run_id: remote.run_id },
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("non-local sources must not contain relative path references (also when URL-encoded)", async () => {
    await model("traversal");
    for (const source of [
      "s3://bucket/a/../b",
      "mlflow-artifacts:/1/x/%2E%2E/y",
      "https://host/a/%252e%252e/b",
      "s3://bucket/a/./b",
    ]) {
      const msg = await fails(
        "POST",
        "/model-versions/create",
        { name: "traversal", source },
        400,
        "INVALID_PARAMETER_VALUE",
      );
      assert.match(msg, /an absolute path must be provided without relative path references/, source);
    }
    for (const source of ["runs:/abc123/model", "mlflow-artifacts:/1/abc/artifacts/model", "https://host/models/m"]) {
      await newVersion("traversal", { source });
    }
  });
});

describe("lineage: versions made from a run", () => {
  it("a version links to its source run; model-versions/search with run_id finds the versions of a run", async () => {
    const run = await newRun();
    const other = await newRun();
    await model("lin-a");
    await model("lin-b");
    await newVersion("lin-a", { source: `${run.artifact_uri}/model`, run_id: run.run_id });
    await newVersion("lin-b", { source: `${run.artifact_uri}/model`, run_id: run.run_id });
    await newVersion("lin-b", { source: `${other.artifact_uri}/model`, run_id: other.run_id });
    const fromRun = await ok("GET", "/model-versions/search", { filter: `run_id = '${run.run_id}'` });
    assert.deepEqual(
      fromRun.model_versions.map((v: { name: string; version: string }) => `${v.name}/${v.version}`).sort(),
      ["lin-a/1", "lin-b/1"],
    );
    const both = await ok("GET", "/model-versions/search", {
      filter: `run_id IN ('${run.run_id}', '${other.run_id}')`,
    });
    assert.equal(both.model_versions.length, 3);
    const mv = (await ok("GET", "/model-versions/get", { name: "lin-a", version: "1" })).model_version;
    const linked = (await ok("GET", "/runs/get", { run_id: mv.run_id })).run;
    assert.equal(linked.info.run_id, run.run_id);
  });
});

describe("GET /model-versions/get-artifact", () => {
  it("streams a file from the version's location (proxied artifacts and runs:/ sources)", async () => {
    const run = await newRun();
    const rel = run.artifact_uri.replace("mlflow-artifacts:/", "");
    const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${rel}/model/MLmodel`, {
      method: "PUT",
      body: "flavors: {}\n",
    });
    assert.equal(put.status, 200);
    await model("art");
    await newVersion("art", { source: `${run.artifact_uri}/model`, run_id: run.run_id });
    await newVersion("art", { source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    for (const version of ["1", "2"]) {
      const r = await fetch(`${s.url}/model-versions/get-artifact?name=art&version=${version}&path=MLmodel`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), "flavors: {}\n");
    }
    const traversal = await fetch(`${s.url}/model-versions/get-artifact?name=art&version=1&path=../../x`);
    assert.equal(traversal.status, 400);
    const missing = await fetch(`${s.url}/model-versions/get-artifact?name=art&version=9&path=MLmodel`);
    assert.equal(missing.status, 404);
  });
});
