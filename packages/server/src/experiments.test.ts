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

describe("experiments", () => {
  it("has the Default experiment 0", async () => {
    const r = await s.call("GET", `${API}/experiments/get`, { experiment_id: "0" });
    assert.equal(r.status, 200);
    assert.equal(r.json.experiment.name, "Default");
    assert.equal(r.json.experiment.artifact_location, "mlflow-artifacts:/0");
    assert.equal(r.json.experiment.lifecycle_stage, "active");
  });

  it("creates and reads an experiment with tags", async () => {
    const c = await s.call("POST", `${API}/experiments/create`, {
      name: "exp-a",
      tags: [{ key: "team", value: "ml" }],
    });
    assert.equal(c.status, 200);
    assert.match(c.json.experiment_id, /^\d+$/);
    const g = await s.call("GET", `${API}/experiments/get`, { experiment_id: c.json.experiment_id });
    const e = g.json.experiment;
    assert.equal(e.name, "exp-a");
    assert.equal(e.artifact_location, `mlflow-artifacts:/${c.json.experiment_id}`);
    assert.deepEqual(e.tags, [{ key: "team", value: "ml" }]);
    assert.equal(typeof e.creation_time, "number");
    assert.equal(typeof e.last_update_time, "number");
    const byName = await s.call("GET", `${API}/experiments/get-by-name`, { experiment_name: "exp-a" });
    assert.equal(byName.json.experiment.experiment_id, c.json.experiment_id);
  });

  it("serves the same handlers under /ajax-api", async () => {
    const r = await s.call("GET", "/ajax-api/2.0/mlflow/experiments/get", { experiment_id: "0" });
    assert.equal(r.status, 200);
    assert.equal(r.json.experiment.name, "Default");
  });

  it("accepts lowerCamelCase field names and double-encoded JSON", async () => {
    const c = await s.call("POST", `${API}/experiments/create`, { name: "camel", artifactLocation: "s3://b/p" });
    const g = await s.call("GET", `${API}/experiments/get`, { experiment_id: c.json.experiment_id });
    assert.equal(g.json.experiment.artifact_location, "s3://b/p");
    const res = await fetch(`${s.url}${API}/experiments/create`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(JSON.stringify({ name: "double-encoded" })),
    });
    assert.equal(res.status, 200);
  });

  it("rejects duplicates, missing and mistyped fields", async () => {
    const dup = await s.call("POST", `${API}/experiments/create`, { name: "exp-a" });
    assert.equal(dup.status, 400);
    assert.equal(dup.json.error_code, "RESOURCE_ALREADY_EXISTS");
    assert.match(dup.json.message, /^Experiment\(name=exp-a\) already exists\./);
    const missing = await s.call("POST", `${API}/experiments/create`, {});
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error_code, "INVALID_PARAMETER_VALUE");
    assert.match(missing.json.message, /Missing value for required parameter 'name'/);
    const wrong = await s.call("POST", `${API}/experiments/create`, { name: 123 });
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.message, /Invalid value 123 for parameter 'name' supplied/);
    const runsUri = await s.call("POST", `${API}/experiments/create`, { name: "x1", artifact_location: "runs:/abc" });
    assert.equal(runsUri.status, 400);
  });

  it("404s unknown ids and names", async () => {
    const g = await s.call("GET", `${API}/experiments/get`, { experiment_id: "999" });
    assert.equal(g.status, 404);
    assert.equal(g.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(g.json.message, "No Experiment with id=999 exists");
    const n = await s.call("GET", `${API}/experiments/get-by-name`, { experiment_name: "nope" });
    assert.equal(n.status, 404);
    assert.equal(n.json.message, "Could not find experiment with name 'nope'");
  });

  it("renames, tags, deletes and restores", async () => {
    const { json } = await s.call("POST", `${API}/experiments/create`, { name: "life" });
    const id = json.experiment_id;
    const run = await s.call("POST", `${API}/runs/create`, { experiment_id: id });
    const runId = run.json.run.info.run_id;
    assert.equal(
      (await s.call("POST", `${API}/experiments/update`, { experiment_id: id, new_name: "life2" })).status,
      200,
    );
    const clash = await s.call("POST", `${API}/experiments/update`, { experiment_id: id, new_name: "exp-a" });
    assert.equal(clash.json.error_code, "RESOURCE_ALREADY_EXISTS");
    await s.call("POST", `${API}/experiments/set-experiment-tag`, { experiment_id: id, key: "k", value: "v" });
    await s.call("POST", `${API}/experiments/set-experiment-tag`, { experiment_id: id, key: "k", value: "v2" });
    let g = await s.call("GET", `${API}/experiments/get`, { experiment_id: id });
    assert.equal(g.json.experiment.name, "life2");
    assert.deepEqual(g.json.experiment.tags, [{ key: "k", value: "v2" }]);
    assert.equal(
      (await s.call("POST", `${API}/experiments/delete-experiment-tag`, { experiment_id: id, key: "k" })).status,
      200,
    );
    const noTag = await s.call("POST", `${API}/experiments/delete-experiment-tag`, { experiment_id: id, key: "k" });
    assert.equal(noTag.status, 404);

    assert.equal((await s.call("POST", `${API}/experiments/delete`, { experiment_id: id })).status, 200);
    g = await s.call("GET", `${API}/experiments/get`, { experiment_id: id });
    assert.equal(g.json.experiment.lifecycle_stage, "deleted");
    let r = await s.call("GET", `${API}/runs/get`, { run_id: runId });
    assert.equal(r.json.run.info.lifecycle_stage, "deleted");
    assert.equal((await s.call("POST", `${API}/experiments/delete`, { experiment_id: id })).status, 404);
    const renameDeleted = await s.call("POST", `${API}/experiments/update`, { experiment_id: id, new_name: "z" });
    assert.equal(renameDeleted.status, 500);
    assert.equal(renameDeleted.json.error_code, "INVALID_STATE");
    const tagDeleted = await s.call("POST", `${API}/experiments/set-experiment-tag`, {
      experiment_id: id,
      key: "a",
      value: "b",
    });
    assert.equal(tagDeleted.status, 400);
    assert.match(tagDeleted.json.message, /must be in the 'active' state\. Current state is deleted\./);
    const runInDeleted = await s.call("POST", `${API}/runs/create`, { experiment_id: id });
    assert.equal(runInDeleted.status, 400);

    assert.equal((await s.call("POST", `${API}/experiments/restore`, { experiment_id: id })).status, 200);
    r = await s.call("GET", `${API}/runs/get`, { run_id: runId });
    assert.equal(r.json.run.info.lifecycle_stage, "active");
    assert.equal((await s.call("POST", `${API}/experiments/restore`, { experiment_id: id })).status, 404);
    const dupDeleted = await s.call("POST", `${API}/experiments/create`, { name: "life2" });
    assert.equal(dupDeleted.json.error_code, "RESOURCE_ALREADY_EXISTS");
  });

  it("searches with filter, order, paging and view type (POST and GET)", async () => {
    for (const n of ["s-1", "s-2", "s-3"]) await s.call("POST", `${API}/experiments/create`, { name: n });
    const page1 = await s.call("POST", `${API}/experiments/search`, {
      max_results: 2,
      filter: "name LIKE 's-%'",
      order_by: ["name ASC"],
    });
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.json.experiments.map((e: { name: string }) => e.name),
      ["s-1", "s-2"],
    );
    assert.ok(page1.json.next_page_token);
    const page2 = await s.call("POST", `${API}/experiments/search`, {
      max_results: 2,
      filter: "name LIKE 's-%'",
      order_by: ["name ASC"],
      page_token: page1.json.next_page_token,
    });
    assert.deepEqual(
      page2.json.experiments.map((e: { name: string }) => e.name),
      ["s-3"],
    );
    assert.equal(page2.json.next_page_token, undefined);
    const viaGet = await s.call("GET", `${API}/experiments/search`, {
      max_results: 10,
      filter: "name = 's-2' OR name = 's-3'",
      order_by: ["name DESC"],
    });
    assert.deepEqual(
      viaGet.json.experiments.map((e: { name: string }) => e.name),
      ["s-3", "s-2"],
    );
    const deleted = await s.call("POST", `${API}/experiments/search`, { max_results: 10, view_type: "DELETED_ONLY" });
    assert.deepEqual(deleted.json, {});
    const bad = await s.call("POST", `${API}/experiments/search`, { max_results: 10, filter: "experiment_id = '1'" });
    assert.equal(bad.status, 400);
    const badToken = await s.call("POST", `${API}/experiments/search`, { max_results: 10, page_token: "%%%" });
    assert.equal(badToken.status, 400);
    const zero = await s.call("POST", `${API}/experiments/search`, { max_results: 0 });
    assert.equal(zero.status, 400);
    const tooMany = await s.call("POST", `${API}/experiments/search`, { max_results: 50001 });
    assert.equal(tooMany.status, 400);
  });
});

describe("request decoding", () => {
  it("requires application/json on POST", async () => {
    const r = await fetch(`${s.url}${API}/experiments/create`, {
      method: "POST",
      body: '{"name":"ct"}',
      headers: { "Content-Type": "text/plain" },
    });
    assert.equal(r.status, 400);
    const j = (await r.json()) as { error_code: string; message: string };
    assert.equal(j.error_code, "INVALID_PARAMETER_VALUE");
    assert.match(j.message, /^Bad Request\. Content-Type must be one of \[application\/json\]\. Got 'text\/plain'\./);
    const ok = await fetch(`${s.url}${API}/experiments/create`, {
      method: "POST",
      body: '{"name":"ct"}',
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
    assert.equal(ok.status, 200);
  });

  it("refuses malformed JSON and non-object bodies without storing anything", async () => {
    for (const body of ["{not json", "[1,2]", "42"]) {
      const r = await fetch(`${s.url}${API}/experiments/create`, {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
      });
      assert.equal(r.status, 400, body);
      const j = (await r.json()) as { error_code: string };
      assert.equal(j.error_code, "INVALID_PARAMETER_VALUE");
    }
  });

  it("answers unknown endpoints with 404 and wrong methods with 405, never a stack trace", async () => {
    const r = await s.call("GET", `${API}/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error_code, "ENDPOINT_NOT_FOUND");
    const m = await s.call("GET", `${API}/experiments/create`);
    assert.equal(m.status, 405);
    assert.doesNotMatch(m.text, /at .*\.js/);
  });

  it("reads repeated query keys of GET requests as lists", async () => {
    for (const name of ["qs-b", "qs-a", "qs-c"]) {
      assert.equal((await s.call("POST", `${API}/experiments/create`, { name })).status, 200);
    }
    const q = new URLSearchParams([
      ["filter", "name LIKE 'qs-%'"],
      ["order_by", "name DESC"],
      ["max_results", "2"],
    ]);
    const one = await s.call("GET", `${API}/experiments/search?${q}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(
      one.json.experiments.map((e: { name: string }) => e.name),
      ["qs-c", "qs-b"],
    );
    q.append("order_by", "creation_time");
    const two = await s.call("GET", `${API}/experiments/search?${q}`);
    assert.equal(two.status, 200, two.text);
    assert.equal(two.json.experiments[0].name, "qs-c");
  });

  it("serves /health and /version", async () => {
    const h = await fetch(`${s.url}/health`);
    assert.equal(h.status, 200);
    assert.equal(await h.text(), "OK");
    const v = await fetch(`${s.url}/version`);
    assert.match(await v.text(), /^2\.\d+\.\d+$/);
  });
});
