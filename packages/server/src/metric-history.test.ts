// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
const runs: string[] = [];
before(async () => {
  s = await startTestServer();
  for (let r = 0; r < 3; r++) {
    const id = (await s.call("POST", `${API}/runs/create`, { experiment_id: "0" })).json.run.info.run_id;
    runs.push(id);
    const metrics = Array.from({ length: 100 }, (_, i) => ({
      key: "loss",
      value: 1 / (i + 1),
      timestamp: 1000 + i,
      step: i,
    }));
    assert.equal((await s.call("POST", `${API}/runs/log-batch`, { run_id: id, metrics })).status, 200);
  }
});
after(async () => {
  await s.close();
});

describe("metric history", () => {
  it("returns every point in step order", async () => {
    const h = await s.call("GET", `${API}/metrics/get-history`, { run_id: runs[0] as string, metric_key: "loss" });
    assert.equal(h.json.metrics.length, 100);
    assert.deepEqual(h.json.metrics[0], { key: "loss", value: 1, timestamp: 1000, step: 0 });
    assert.deepEqual(
      h.json.metrics.map((m: { step: number }) => m.step),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it("streams long histories in order, across pages, whatever the logging order", async () => {
    const id = (await s.call("POST", `${API}/runs/create`, { experiment_id: "0" })).json.run.info.run_id;
    const total = 45_000;
    for (let start = total - 1000; start >= 0; start -= 1000) {
      const metrics = [];
      for (let i = start + 999; i >= start; i--)
        metrics.push({ key: "long", value: i % 7 === 0 ? "NaN" : i / 3, timestamp: 5, step: i });
      assert.equal((await s.call("POST", `${API}/runs/log-batch`, { run_id: id, metrics })).status, 200);
    }
    const h = await s.call("GET", `${API}/metrics/get-history`, { run_id: id, metric_key: "long" });
    assert.equal(h.json.metrics.length, total);
    for (let i = 0; i < total; i++) {
      const m = h.json.metrics[i];
      assert.equal(m.step, i);
      assert.equal(m.value, i % 7 === 0 ? "NaN" : i / 3);
    }
  });

  it("pages when max_results is given", async () => {
    const p1 = await s.call("GET", `${API}/metrics/get-history`, {
      run_id: runs[0] as string,
      metric_key: "loss",
      max_results: 60,
    });
    assert.equal(p1.json.metrics.length, 60);
    const p2 = await s.call("GET", `${API}/metrics/get-history`, {
      run_id: runs[0] as string,
      metric_key: "loss",
      max_results: 60,
      page_token: p1.json.next_page_token,
    });
    assert.equal(p2.json.metrics.length, 40);
    assert.equal(p2.json.next_page_token, undefined);
  });

  it("answers {} for an unknown run or key and 400 without metric_key", async () => {
    assert.deepEqual(
      (await s.call("GET", `${API}/metrics/get-history`, { run_id: "a".repeat(32), metric_key: "loss" })).json,
      {},
    );
    const missing = await s.call("GET", `${API}/metrics/get-history`, { run_id: runs[0] as string });
    assert.equal(missing.status, 400);
    assert.match(missing.json.message, /Missing value for required parameter 'metric_key'/);
  });

  it("samples with get-history-bulk-interval", async () => {
    const all = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, { run_ids: runs, metric_key: "loss" });
    assert.equal(all.json.metrics.length, 300);
    assert.equal(all.json.metrics[0].run_id, [...runs].sort()[0]);
    const sampled = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, {
      run_ids: runs,
      metric_key: "loss",
      max_results: 10,
    });
    const steps = [...new Set(sampled.json.metrics.map((m: { step: number }) => m.step))];
    assert.deepEqual(steps, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]);
    const ranged = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, {
      run_ids: [runs[0] as string],
      metric_key: "loss",
      start_step: 5,
      end_step: 7,
    });
    assert.deepEqual(
      ranged.json.metrics.map((m: { step: number }) => m.step),
      [5, 6, 7],
    );
  });

  it("validates bulk-interval requests", async () => {
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0"));
    const tooMany = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, {
      run_ids: many,
      metric_key: "loss",
    });
    assert.equal(tooMany.status, 400);
    assert.equal(
      tooMany.json.message,
      "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.",
    );
    const oneBound = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, {
      run_ids: runs,
      metric_key: "loss",
      start_step: 1,
    });
    assert.equal(oneBound.json.message, "If either start step or end step are specified, both must be specified.");
    const reversed = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, {
      run_ids: runs,
      metric_key: "loss",
      start_step: 5,
      end_step: 1,
    });
    assert.equal(reversed.status, 400);
    const noRuns = await s.call("GET", `${API}/metrics/get-history-bulk-interval`, { metric_key: "loss" });
    assert.equal(noRuns.status, 400);
  });

  it("serves the UI's get-history-bulk on /ajax-api only", async () => {
    const r = await s.call("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", {
      run_id: runs,
      metric_key: "loss",
      max_results: 150,
    });
    assert.equal(r.json.metrics.length, 150);
    assert.equal(
      (await s.call("GET", `${API}/metrics/get-history-bulk`, { run_id: runs, metric_key: "loss" })).status,
      404,
    );
    const none = await s.call("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", { metric_key: "loss" });
    assert.equal(none.json.message, "GetMetricHistoryBulk request must specify at least one run_id.");
  });
});
