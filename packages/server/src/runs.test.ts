// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
let expId: string;
before(async () => {
  s = await startTestServer();
  expId = (await s.call("POST", `${API}/experiments/create`, { name: "runs" })).json.experiment_id;
});
after(async () => {
  await s.close();
});

async function newRun(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await s.call("POST", `${API}/runs/create`, { experiment_id: expId, start_time: 1000, ...extra });
  assert.equal(r.status, 200, r.text);
  return r.json.run.info.run_id;
}

describe("run lifecycle", () => {
  it("creates a run with MLflow's fields", async () => {
    const r = await s.call("POST", `${API}/runs/create`, {
      experiment_id: expId,
      user_id: "alice",
      start_time: 1700000000000,
      tags: [{ key: "mlflow.user", value: "alice" }],
    });
    const run = r.json.run;
    assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
    assert.equal(run.info.run_uuid, run.info.run_id);
    assert.equal(run.info.experiment_id, expId);
    assert.equal(run.info.status, "RUNNING");
    assert.equal(run.info.lifecycle_stage, "active");
    assert.equal(run.info.start_time, 1700000000000);
    assert.equal(run.info.end_time, undefined);
    assert.equal(run.info.user_id, "alice");
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${expId}/${run.info.run_id}/artifacts`);
    assert.match(run.info.run_name, /^[a-z]+-[a-z]+-\d{1,3}$/);
    assert.deepEqual(run.inputs, {});
    const nameTag = run.data.tags.find((t: { key: string }) => t.key === "mlflow.runName");
    assert.equal(nameTag.value, run.info.run_name);
  });

  it("uses the Default experiment when none is given and checks run name vs tag", async () => {
    const r = await s.call("POST", `${API}/runs/create`, { run_name: "named" });
    assert.equal(r.json.run.info.experiment_id, "0");
    assert.equal(r.json.run.info.run_name, "named");
    const conflict = await s.call("POST", `${API}/runs/create`, {
      run_name: "a",
      tags: [{ key: "mlflow.runName", value: "b" }],
    });
    assert.equal(conflict.status, 400);
    assert.match(conflict.json.message, /Both 'run_name' argument and 'mlflow.runName' tag are specified/);
    const unknown = await s.call("POST", `${API}/runs/create`, { experiment_id: "4242" });
    assert.equal(unknown.status, 404);
  });

  it("gets by run_id or run_uuid, and 404s unknown ids", async () => {
    const id = await newRun();
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_uuid: id })).json.run.info.run_id, id);
    const missing = await s.call("GET", `${API}/runs/get`, { run_id: "0123456789abcdef0123456789abcdef" });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, "Run with id=0123456789abcdef0123456789abcdef not found");
    const none = await s.call("GET", `${API}/runs/get`, {});
    assert.equal(none.status, 400);
    assert.match(none.json.message, /Missing value for required parameter 'run_id'/);
  });

  it("updates status, end time and name", async () => {
    const id = await newRun();
    const u = await s.call("POST", `${API}/runs/update`, {
      run_id: id,
      status: "FINISHED",
      end_time: 5000,
      run_name: "renamed",
    });
    assert.equal(u.json.run_info.status, "FINISHED");
    assert.equal(u.json.run_info.end_time, 5000);
    assert.equal(u.json.run_info.run_name, "renamed");
    const g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(g.json.run.data.tags.find((t: { key: string }) => t.key === "mlflow.runName").value, "renamed");
    const badStatus = await s.call("POST", `${API}/runs/update`, { run_id: id, status: "DONE" });
    assert.equal(badStatus.status, 400);
    const byNumber = await s.call("POST", `${API}/runs/update`, { run_uuid: id, status: 4 });
    assert.equal(byNumber.json.run_info.status, "FAILED");
  });

  it("deletes and restores; deleted runs refuse writes", async () => {
    const id = await newRun();
    assert.equal((await s.call("POST", `${API}/runs/delete`, { run_id: id })).status, 200);
    assert.equal((await s.call("POST", `${API}/runs/delete`, { run_id: id })).status, 200);
    const g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(g.json.run.info.lifecycle_stage, "deleted");
    const w = await s.call("POST", `${API}/runs/log-metric`, { run_id: id, key: "m", value: 1, timestamp: 1 });
    assert.equal(w.status, 400);
    assert.equal(w.json.message, `The run ${id} must be in the 'active' state. Current state is deleted.`);
    assert.equal((await s.call("POST", `${API}/runs/restore`, { run_id: id })).status, 200);
    const w2 = await s.call("POST", `${API}/runs/log-metric`, { run_id: id, key: "m", value: 1, timestamp: 1 });
    assert.equal(w2.status, 200);
    assert.equal((await s.call("POST", `${API}/runs/delete`, { run_id: "f".repeat(32) })).status, 404);
  });
});

describe("logging", () => {
  it("stores metrics with MLflow's NaN/Infinity rules and latest-value semantics", async () => {
    const id = await newRun();
    const log = (value: unknown, step: number, timestamp = 10) =>
      s.call("POST", `${API}/runs/log-metric`, { run_id: id, run_uuid: id, key: "m", value, timestamp, step });
    assert.equal((await log(1.5, 2)).status, 200);
    assert.equal((await log("NaN", 3)).status, 200);
    assert.equal((await log("Infinity", 4)).status, 200);
    assert.equal((await log("-Infinity", 5)).status, 200);
    assert.equal((await log(0.25, 1)).status, 200); // older step: not the latest
    assert.equal((await log(1.5, 2)).status, 200); // exact duplicate: ignored
    const h = await s.call("GET", `${API}/metrics/get-history`, { run_id: id, metric_key: "m" });
    assert.deepEqual(
      h.json.metrics.map((m: { value: unknown; step: number }) => [m.step, m.value]),
      [
        [1, 0.25],
        [2, 1.5],
        [3, "NaN"],
        [4, 1.7976931348623157e308],
        [5, -1.7976931348623157e308],
      ],
    );
    const r = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.deepEqual(r.json.run.data.metrics, [{ key: "m", value: -1.7976931348623157e308, timestamp: 10, step: 5 }]);
  });

  it("validates metrics", async () => {
    const id = await newRun();
    const noTs = await s.call("POST", `${API}/runs/log-metric`, { run_id: id, key: "m", value: 1 });
    assert.equal(noTs.status, 400);
    assert.match(noTs.json.message, /Missing value for required parameter 'timestamp'/);
    const badValue = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: id,
      key: "m",
      value: "abc",
      timestamp: 1,
    });
    assert.equal(badValue.status, 400);
    assert.match(badValue.json.message, /Invalid value 'abc' for parameter 'value'/);
    const badKey = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: id,
      key: "a/../b",
      value: 1,
      timestamp: 1,
    });
    assert.equal(badKey.status, 400);
    const badChars = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: id,
      key: "bad*key",
      value: 1,
      timestamp: 1,
    });
    assert.equal(badChars.status, 400);
    assert.match(badChars.json.message, /Names may only contain alphanumerics/);
    const longKey = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: id,
      key: "k".repeat(251),
      value: 1,
      timestamp: 1,
    });
    assert.equal(longKey.status, 400);
    const numericStrings = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: id,
      key: "ok",
      value: "2.5",
      timestamp: "7",
      step: "3",
    });
    assert.equal(numericStrings.status, 200);
    const unknownRun = await s.call("POST", `${API}/runs/log-metric`, {
      run_id: "e".repeat(32),
      key: "m",
      value: 1,
      timestamp: 1,
    });
    assert.equal(unknownRun.status, 404);
  });

  it("params are write-once; tags upsert and delete", async () => {
    const id = await newRun();
    assert.equal(
      (await s.call("POST", `${API}/runs/log-parameter`, { run_id: id, key: "lr", value: "0.1" })).status,
      200,
    );
    assert.equal(
      (await s.call("POST", `${API}/runs/log-parameter`, { run_id: id, key: "lr", value: "0.1" })).status,
      200,
    );
    const change = await s.call("POST", `${API}/runs/log-parameter`, { run_id: id, key: "lr", value: "0.2" });
    assert.equal(change.status, 400);
    assert.equal(
      change.json.message,
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='${id}'. Attempted logging new value '0.2'.`,
    );
    const long = await s.call("POST", `${API}/runs/log-parameter`, { run_id: id, key: "big", value: "x".repeat(6001) });
    assert.equal(long.status, 400);
    assert.equal(
      (await s.call("POST", `${API}/runs/log-parameter`, { run_id: id, key: "ok6000", value: "x".repeat(6000) }))
        .status,
      200,
    );
    await s.call("POST", `${API}/runs/set-tag`, { run_id: id, key: "t", value: "1" });
    await s.call("POST", `${API}/runs/set-tag`, { run_id: id, key: "t", value: "2" });
    await s.call("POST", `${API}/runs/set-tag`, { run_id: id, key: "mlflow.runName", value: "via-tag" });
    let g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(g.json.run.info.run_name, "via-tag");
    assert.equal(g.json.run.data.tags.find((t: { key: string }) => t.key === "t").value, "2");
    assert.equal((await s.call("POST", `${API}/runs/delete-tag`, { run_id: id, key: "t" })).status, 200);
    const again = await s.call("POST", `${API}/runs/delete-tag`, { run_id: id, key: "t" });
    assert.equal(again.status, 404);
    assert.equal(again.json.message, `No tag with name: t in run with id ${id}`);
    g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(
      g.json.run.data.tags.find((t: { key: string }) => t.key === "t"),
      undefined,
    );
    const longTag = await s.call("POST", `${API}/runs/set-tag`, { run_id: id, key: "lt", value: "x".repeat(8001) });
    assert.equal(longTag.status, 400);
  });

  it("log-batch enforces limits and is all-or-nothing", async () => {
    const id = await newRun();
    const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: "b", value: i, timestamp: 1, step: i }));
    const tooMany = await s.call("POST", `${API}/runs/log-batch`, { run_id: id, metrics: metrics(1001) });
    assert.equal(tooMany.status, 400);
    assert.equal(
      tooMany.json.message,
      "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.",
    );
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" }));
    assert.equal((await s.call("POST", `${API}/runs/log-batch`, { run_id: id, params })).status, 400);
    const total = await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      metrics: metrics(950),
      params: params.slice(0, 60),
    });
    assert.equal(total.status, 400);
    assert.match(total.json.message, /at most 1000 metrics, params, and tags/);
    const dupParams = await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      params: [
        { key: "a", value: "1" },
        { key: "a", value: "2" },
      ],
    });
    assert.equal(dupParams.status, 400);
    assert.match(dupParams.json.message, /Duplicate parameter keys have been submitted/);
    const missingTs = await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      metrics: [
        { key: "a", value: 1, timestamp: 1 },
        { key: "a", value: 1, timestamp: 1 },
        { key: "a", value: 1, timestamp: 1 },
        { key: "a", value: 1 },
      ],
    });
    assert.equal(missingTs.status, 400);
    assert.match(missingTs.json.message, /Missing value for required parameter 'metrics\[3\]\.timestamp'/);

    assert.equal(
      (await s.call("POST", `${API}/runs/log-batch`, { run_id: id, params: [{ key: "fixed", value: "1" }] })).status,
      200,
    );
    const conflict = await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      metrics: [{ key: "should-not-exist", value: 1, timestamp: 1 }],
      params: [{ key: "fixed", value: "2" }],
      tags: [{ key: "nor-this", value: "x" }],
    });
    assert.equal(conflict.status, 400);
    assert.match(conflict.json.message, /^Changing param values is not allowed\. Params were already logged=/);
    const g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(g.json.run.data.metrics, undefined);
    assert.equal(
      g.json.run.data.tags.find((t: { key: string }) => t.key === "nor-this"),
      undefined,
    );

    const ok = await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      metrics: metrics(998),
      tags: [
        { key: "dup", value: "first" },
        { key: "dup", value: "last" },
      ],
    });
    assert.equal(ok.status, 200, ok.text);
    const h = await s.call("GET", `${API}/metrics/get-history`, { run_id: id, metric_key: "b" });
    assert.equal(h.json.metrics.length, 998);
    const g2 = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.equal(g2.json.run.data.tags.find((t: { key: string }) => t.key === "dup").value, "last");
    assert.deepEqual(g2.json.run.data.metrics, [{ key: "b", value: 997, timestamp: 1, step: 997 }]);
  });

  it("log-model appends to the model history tag", async () => {
    const id = await newRun();
    const model = {
      artifact_path: "model",
      flavors: { python_function: {} },
      utc_time_created: "2024-01-01",
      run_id: id,
    };
    assert.equal(
      (await s.call("POST", `${API}/runs/log-model`, { run_id: id, model_json: JSON.stringify(model) })).status,
      200,
    );
    assert.equal(
      (await s.call("POST", `${API}/runs/log-model`, { run_id: id, model_json: JSON.stringify(model) })).status,
      200,
    );
    const g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    const history = JSON.parse(
      g.json.run.data.tags.find((t: { key: string }) => t.key === "mlflow.log-model.history").value,
    );
    assert.equal(history.length, 2);
    assert.equal((await s.call("POST", `${API}/runs/log-model`, { run_id: id, model_json: "{bad" })).status, 400);
    const missing = await s.call("POST", `${API}/runs/log-model`, { run_id: id, model_json: "{}" });
    assert.equal(missing.status, 400);
    assert.match(missing.json.message, /missing mandatory fields/);
  });

  it("log-inputs links datasets once and exposes them on the run and in search-datasets", async () => {
    const id = await newRun();
    const dataset = { name: "iris", digest: "abc123", source_type: "local", source: '{"uri": "/data"}', schema: "{}" };
    const req = {
      run_id: id,
      datasets: [
        { dataset, tags: [{ key: "mlflow.data.context", value: "training" }] },
        { dataset, tags: [{ key: "mlflow.data.context", value: "ignored" }] },
      ],
    };
    assert.equal((await s.call("POST", `${API}/runs/log-inputs`, req)).status, 200);
    assert.equal((await s.call("POST", `${API}/runs/log-inputs`, req)).status, 200);
    const g = await s.call("GET", `${API}/runs/get`, { run_id: id });
    assert.deepEqual(g.json.run.inputs.dataset_inputs, [
      { dataset, tags: [{ key: "mlflow.data.context", value: "training" }] },
    ]);
    const sd = await s.call("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", { experiment_ids: [expId] });
    assert.deepEqual(sd.json.dataset_summaries, [
      { experiment_id: expId, name: "iris", digest: "abc123", context: "training" },
    ]);
    const bad = await s.call("POST", `${API}/runs/log-inputs`, { run_id: id, datasets: [{ dataset: { name: "x" } }] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /Missing value for required parameter 'datasets\[0\]\.dataset\.digest'/);
  });
});
