// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
const TS = "/api/2.0/mlflow-ts";
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s.close();
});

async function newExperiment(name: string): Promise<string> {
  const r = await s.call("POST", `${API}/experiments/create`, { name });
  assert.equal(r.status, 200, r.text);
  return r.json.experiment_id;
}

async function newRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await s.call("POST", `${API}/runs/create`, { experiment_id: experimentId, ...extra });
  assert.equal(r.status, 200, r.text);
  return r.json.run.info.run_id;
}

const dataset = (name: string, digest: string) => ({
  dataset: { name, digest, source_type: "local", source: `{"uri": "/data/${name}"}`, schema: "{}", profile: "{}" },
  tags: [{ key: "mlflow.data.context", value: "training" }],
});

async function datasetsOf(experimentId: string) {
  const r = await s.call("POST", `${API}/experiments/search-datasets`, { experiment_ids: [experimentId] });
  assert.equal(r.status, 200, r.text);
  return (r.json.dataset_summaries ?? []).map((d: { name: string; digest: string }) => `${d.name}@${d.digest}`);
}

describe("POST /mlflow-ts/runs/move", () => {
  it("moves runs with their data and dataset inputs; ids and artifact_uri stay", async () => {
    const from = await newExperiment("move-from");
    const to = await newExperiment("move-to");
    const a = await newRun(from, { run_name: "a" });
    const b = await newRun(from, { run_name: "b" });
    const stay = await newRun(from, { run_name: "stay" });
    await s.call("POST", `${API}/runs/log-batch`, {
      run_id: a,
      metrics: [{ key: "acc", value: 0.9, timestamp: 1, step: 0 }],
      params: [{ key: "model", value: "cnn" }],
    });
    for (const id of [a, stay]) {
      const r = await s.call("POST", `${API}/runs/log-inputs`, { run_id: id, datasets: [dataset("iris", "d1")] });
      assert.equal(r.status, 200, r.text);
    }
    const before = (await s.call("GET", `${API}/runs/get`, { run_id: a })).json.run;

    const r = await s.call("POST", `${TS}/runs/move`, { run_ids: [a, b], experiment_id: to });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved_run_count, 2);

    const moved = (await s.call("GET", `${API}/runs/get`, { run_id: a })).json.run;
    assert.equal(moved.info.experiment_id, to);
    assert.equal(moved.info.artifact_uri, before.info.artifact_uri);
    assert.deepEqual(moved.data, before.data);
    assert.equal(moved.inputs.dataset_inputs[0].dataset.name, "iris");
    assert.equal(moved.inputs.dataset_inputs[0].dataset.source, '{"uri": "/data/iris"}');

    const inTarget = await s.call("POST", `${API}/runs/search`, { experiment_ids: [to] });
    assert.deepEqual(inTarget.json.runs.map((x: { info: { run_id: string } }) => x.info.run_id).sort(), [a, b].sort());
    const filtered = await s.call("POST", `${API}/runs/search`, {
      experiment_ids: [to],
      filter: "dataset.name = 'iris'",
    });
    assert.deepEqual(
      filtered.json.runs.map((x: { info: { run_id: string } }) => x.info.run_id),
      [a],
    );
    assert.deepEqual(await datasetsOf(to), ["iris@d1"]);
    assert.deepEqual(await datasetsOf(from), ["iris@d1"]); // `stay` still uses it

    // moving into an experiment that already has the dataset reuses its row
    const other = await newRun(from);
    await s.call("POST", `${API}/runs/log-inputs`, { run_id: other, datasets: [dataset("iris", "d1")] });
    assert.equal((await s.call("POST", `${TS}/runs/move`, { run_ids: [other, stay], experiment_id: to })).status, 200);
    assert.deepEqual(await datasetsOf(to), ["iris@d1"]);
    assert.deepEqual(await datasetsOf(from), []);

    // moving runs already there changes nothing; /ajax-api serves the route too
    const again = await s.call("POST", `/ajax-api/2.0/mlflow-ts/runs/move`, { run_ids: [a], experiment_id: to });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.moved_run_count, 0);
  });

  it("refuses bad requests with MLflow's error codes and changes nothing", async () => {
    const from = await newExperiment("move-err-from");
    const to = await newExperiment("move-err-to");
    const gone = await newExperiment("move-err-deleted");
    await s.call("POST", `${API}/experiments/delete`, { experiment_id: gone });
    const a = await newRun(from);

    const empty = await s.call("POST", `${TS}/runs/move`, { run_ids: [], experiment_id: to });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error_code, "INVALID_PARAMETER_VALUE");
    const tooMany = await s.call("POST", `${TS}/runs/move`, {
      run_ids: Array.from({ length: 1001 }, (_, i) => `r${i}`),
      experiment_id: to,
    });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.json.message, /at most 1000/);
    const noExp = await s.call("POST", `${TS}/runs/move`, { run_ids: [a] });
    assert.equal(noExp.json.error_code, "INVALID_PARAMETER_VALUE");

    const unknownExp = await s.call("POST", `${TS}/runs/move`, { run_ids: [a], experiment_id: "987654" });
    assert.equal(unknownExp.status, 404);
    assert.equal(unknownExp.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    const deletedExp = await s.call("POST", `${TS}/runs/move`, { run_ids: [a], experiment_id: gone });
    assert.equal(deletedExp.json.error_code, "INVALID_STATE");

    // one unknown run in the list: nothing moves
    const partial = await s.call("POST", `${TS}/runs/move`, { run_ids: [a, "f".repeat(32)], experiment_id: to });
    assert.equal(partial.status, 404);
    assert.equal(partial.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    assert.match(partial.json.message, /ffff/);
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: a })).json.run.info.experiment_id, from);
  });
});

describe("POST /mlflow-ts/runs/delete-permanently", () => {
  it("removes deleted runs, their rows and their proxied artifacts", async () => {
    const exp = await newExperiment("purge");
    const doomed = await newRun(exp, { run_name: "doomed" });
    const kept = await newRun(exp, { run_name: "kept" });
    await s.call("POST", `${API}/runs/log-batch`, {
      run_id: doomed,
      metrics: [{ key: "acc", value: 1, timestamp: 1, step: 0 }],
      params: [{ key: "p", value: "1" }],
    });
    await s.call("POST", `${API}/runs/log-inputs`, { run_id: doomed, datasets: [dataset("purged", "d9")] });
    const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${exp}/${doomed}/artifacts/model/file.txt`, {
      method: "PUT",
      body: "bytes",
    });
    assert.equal(put.status, 200);
    const runDir = join(s.dir, "mlartifacts", exp, doomed);
    assert.ok(existsSync(join(runDir, "artifacts", "model", "file.txt")));

    // not deleted yet → INVALID_STATE, nothing changes
    const live = await s.call("POST", `${TS}/runs/delete-permanently`, { run_ids: [doomed] });
    assert.equal(live.json.error_code, "INVALID_STATE");
    assert.ok(existsSync(join(runDir, "artifacts", "model", "file.txt")));

    await s.call("POST", `${API}/runs/delete`, { run_id: doomed });
    const mixed = await s.call("POST", `${TS}/runs/delete-permanently`, { run_ids: [doomed, kept] });
    assert.equal(mixed.json.error_code, "INVALID_STATE");
    assert.match(mixed.json.message, new RegExp(kept));
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: doomed })).status, 200);

    const unknown = await s.call("POST", `${TS}/runs/delete-permanently`, { run_ids: ["a".repeat(32)] });
    assert.equal(unknown.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    const empty = await s.call("POST", `${TS}/runs/delete-permanently`, {});
    assert.equal(empty.json.error_code, "INVALID_PARAMETER_VALUE");

    const r = await s.call("POST", `${TS}/runs/delete-permanently`, { run_ids: [doomed] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { deleted_run_ids: [doomed], artifacts_left: [] });
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: doomed })).status, 404);
    assert.ok(!existsSync(runDir), "the run's artifact directory is gone");
    assert.ok(existsSync(join(s.dir, "mlartifacts", exp)));
    const all = await s.call("POST", `${API}/runs/search`, { experiment_ids: [exp], run_view_type: "ALL" });
    assert.deepEqual(
      all.json.runs.map((x: { info: { run_id: string } }) => x.info.run_id),
      [kept],
    );
    assert.deepEqual(await datasetsOf(exp), []);
  });

  it("deletes local artifact roots and reports roots it does not manage", async () => {
    const localRoot = join(s.dir, "local-root");
    const local = (
      await s.call("POST", `${API}/experiments/create`, { name: "purge-local", artifact_location: localRoot })
    ).json.experiment_id;
    // gs:// has no repository in this server (s3:// roots are purged: see artifacts-s3.test.ts)
    const gs = (
      await s.call("POST", `${API}/experiments/create`, { name: "purge-gs", artifact_location: "gs://bucket/prefix" })
    ).json.experiment_id;
    const a = await newRun(local);
    const b = await newRun(gs);
    await mkdir(join(localRoot, a, "artifacts"), { recursive: true });
    await writeFile(join(localRoot, a, "artifacts", "x.txt"), "x");
    for (const id of [a, b]) await s.call("POST", `${API}/runs/delete`, { run_id: id });
    const r = await s.call("POST", `${TS}/runs/delete-permanently`, { run_ids: [a, b] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.deleted_run_ids, [a, b]);
    assert.equal(r.json.artifacts_left.length, 1);
    assert.equal(r.json.artifacts_left[0].run_id, b);
    assert.equal(r.json.artifacts_left[0].artifact_uri, `gs://bucket/prefix/${b}/artifacts`);
    assert.ok(!existsSync(join(localRoot, a)));
    assert.ok(existsSync(localRoot));
  });
});

describe("GET /mlflow-ts/experiments/keys", () => {
  it("lists the distinct keys of an experiment's runs, searchable and capped", async () => {
    const exp = await newExperiment("keys");
    const a = await newRun(exp);
    const b = await newRun(exp);
    const gone = await newRun(exp);
    await s.call("POST", `${API}/runs/log-batch`, {
      run_id: a,
      metrics: Array.from({ length: 30 }, (_, i) => ({
        key: `m_${String(i).padStart(2, "0")}`,
        value: i,
        timestamp: 1,
      })),
      params: [{ key: "lr", value: "0.1" }],
    });
    await s.call("POST", `${API}/runs/log-batch`, {
      run_id: b,
      metrics: [{ key: "Loss", value: 1, timestamp: 1 }],
      tags: [{ key: "team", value: "x" }],
    });
    await s.call("POST", `${API}/runs/log-batch`, { run_id: gone, params: [{ key: "only_deleted", value: "1" }] });
    await s.call("POST", `${API}/runs/delete`, { run_id: gone });

    const all = await s.call("GET", `${TS}/experiments/keys`, { experiment_id: exp });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.metrics.length, 31);
    assert.equal(all.json.metrics[0], "Loss");
    assert.deepEqual(all.json.params, ["lr"]);
    assert.ok(all.json.tags.includes("team") && all.json.tags.includes("mlflow.runName"));
    assert.equal(all.json.truncated, undefined);

    const found = await s.call("GET", `${TS}/experiments/keys`, { experiment_id: exp, contains: "LOS" });
    assert.deepEqual(found.json.metrics, ["Loss"]);
    const capped = await s.call("GET", `${TS}/experiments/keys`, { experiment_id: exp, max_results: 5 });
    assert.equal(capped.json.metrics.length, 5);
    assert.equal(capped.json.truncated, true);
    const deleted = await s.call("GET", `${TS}/experiments/keys`, {
      experiment_id: exp,
      run_view_type: "DELETED_ONLY",
    });
    assert.deepEqual(deleted.json.params, ["only_deleted"]);

    const unknown = await s.call("GET", `${TS}/experiments/keys`, { experiment_id: "424242" });
    assert.equal(unknown.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    const bad = await s.call("GET", `${TS}/experiments/keys`, { experiment_id: exp, max_results: 0 });
    assert.equal(bad.json.error_code, "INVALID_PARAMETER_VALUE");
  });
});
