// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
let expId: string;
const ids: Record<string, string> = {};

before(async () => {
  s = await startTestServer();
  expId = (await s.call("POST", `${API}/experiments/create`, { name: "search" })).json.experiment_id;
  const specs = [
    { name: "a", start: 100, model: "cnn", acc: 0.9, tag: "prod" },
    { name: "b", start: 200, model: "rnn", acc: 0.5, tag: "dev" },
    { name: "c", start: 300, model: "cnn", acc: 0.7, tag: "Prod" },
    { name: "d", start: 400, model: "lin", acc: undefined, tag: undefined },
  ];
  for (const sp of specs) {
    const r = await s.call("POST", `${API}/runs/create`, {
      experiment_id: expId,
      run_name: sp.name,
      start_time: sp.start,
    });
    const id = r.json.run.info.run_id as string;
    ids[sp.name] = id;
    await s.call("POST", `${API}/runs/log-batch`, {
      run_id: id,
      params: [{ key: "model", value: sp.model }],
      metrics: sp.acc === undefined ? [] : [{ key: "acc", value: sp.acc, timestamp: 1, step: 0 }],
      tags: sp.tag === undefined ? [] : [{ key: "env", value: sp.tag }],
    });
  }
  await s.call("POST", `${API}/runs/update`, { run_id: ids.b, status: "FINISHED", end_time: 500 });
  await s.call("POST", `${API}/runs/delete`, { run_id: ids.d });
});
after(async () => {
  await s.close();
});

async function names(body: Record<string, unknown>): Promise<string[]> {
  const r = await s.call("POST", `${API}/runs/search`, { experiment_ids: [expId], ...body });
  assert.equal(r.status, 200, r.text);
  return (r.json.runs ?? []).map((run: { info: { run_name: string } }) => run.info.run_name);
}

describe("runs/search", () => {
  it("defaults to active runs ordered by start_time DESC", async () => {
    assert.deepEqual(await names({}), ["c", "b", "a"]);
    assert.deepEqual(await names({ run_view_type: "DELETED_ONLY" }), ["d"]);
    assert.deepEqual(await names({ run_view_type: "ALL" }), ["d", "c", "b", "a"]);
  });

  it("filters on metrics, params, tags and attributes", async () => {
    assert.deepEqual(await names({ filter: "metrics.acc > 0.6 and params.model = 'cnn'" }), ["c", "a"]);
    assert.deepEqual(await names({ filter: "params.model != 'cnn'" }), ["b"]);
    assert.deepEqual(await names({ filter: "tags.env = 'prod'" }), ["a"]);
    assert.deepEqual(await names({ filter: "tags.env ILIKE 'prod'" }), ["c", "a"]);
    assert.deepEqual(await names({ filter: "tags.env LIKE 'P%'" }), ["c"]);
    assert.deepEqual(await names({ filter: "attributes.status = 'FINISHED'" }), ["b"]);
    assert.deepEqual(await names({ filter: "attributes.run_name = 'a'" }), ["a"]);
    assert.deepEqual(await names({ filter: "attributes.start_time >= 200" }), ["c", "b"]);
    assert.deepEqual(await names({ filter: `attributes.run_id IN ('${ids.a}', '${ids.b}')` }), ["b", "a"]);
    assert.deepEqual(await names({ filter: `attributes.run_id NOT IN ('${ids.a}')` }), ["c", "b"]);
  });

  it("supports OR and parentheses beyond MLflow", async () => {
    assert.deepEqual(await names({ filter: "params.model = 'rnn' OR metrics.acc > 0.8" }), ["b", "a"]);
    assert.deepEqual(await names({ filter: "(params.model = 'rnn' OR params.model = 'cnn') AND metrics.acc < 0.8" }), [
      "c",
      "b",
    ]);
  });

  it("orders by metrics with missing values last, and by params", async () => {
    const all = { run_view_type: "ALL" };
    assert.deepEqual(await names({ ...all, order_by: ["metrics.acc DESC"] }), ["a", "c", "b", "d"]);
    assert.deepEqual(await names({ ...all, order_by: ["metrics.acc ASC"] }), ["b", "c", "a", "d"]);
    assert.deepEqual(await names({ order_by: ["params.model ASC", "start_time ASC"] }), ["a", "c", "b"]);
    const dup = await s.call("POST", `${API}/runs/search`, {
      experiment_ids: [expId],
      order_by: ["metrics.acc", "metrics.acc DESC"],
    });
    assert.equal(dup.status, 400);
  });

  it("pages with tokens", async () => {
    const p1 = await s.call("POST", `${API}/runs/search`, { experiment_ids: [expId], max_results: 2 });
    assert.equal(p1.json.runs.length, 2);
    assert.ok(p1.json.next_page_token);
    const p2 = await s.call("POST", `${API}/runs/search`, {
      experiment_ids: [expId],
      max_results: 2,
      page_token: p1.json.next_page_token,
    });
    assert.deepEqual(
      p2.json.runs.map((r: { info: { run_name: string } }) => r.info.run_name),
      ["a"],
    );
    assert.equal(p2.json.next_page_token, undefined);
  });

  it("returns full runs: info, latest metrics, params, tags", async () => {
    const r = await s.call("POST", `${API}/runs/search`, {
      experiment_ids: [expId],
      filter: "attributes.run_name = 'a'",
    });
    const run = r.json.runs[0];
    assert.equal(run.info.run_id, ids.a);
    assert.deepEqual(run.data.metrics, [{ key: "acc", value: 0.9, timestamp: 1, step: 0 }]);
    assert.deepEqual(run.data.params, [{ key: "model", value: "cnn" }]);
    assert.ok(run.data.tags.some((t: { key: string }) => t.key === "env"));
  });

  it("rejects what MLflow rejects, with 400", async () => {
    for (const filter of [
      "params.lr = 0.01",
      "metrics.acc > '0.9'",
      "metric.acc LIKE '0.9%'",
      "attributes.status IN ('FINISHED')",
      "foo.bar = 'x'",
      "metrics.acc > 0.9 AND",
      "params.model = cnn",
    ]) {
      const r = await s.call("POST", `${API}/runs/search`, { experiment_ids: [expId], filter });
      assert.equal(r.status, 400, filter);
      assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE", filter);
    }
    const big = await s.call("POST", `${API}/runs/search`, { experiment_ids: [expId], max_results: 50001 });
    assert.equal(big.status, 400);
    assert.match(big.json.message, /It must be at most 50000, but got value 50001/);
    const badToken = await s.call("POST", `${API}/runs/search`, { experiment_ids: [expId], page_token: "not-a-token" });
    assert.equal(badToken.status, 400);
  });

  it("returns nothing for unknown or no experiments", async () => {
    assert.deepEqual((await s.call("POST", `${API}/runs/search`, { experiment_ids: ["9999"] })).json, {});
    assert.deepEqual((await s.call("POST", `${API}/runs/search`, {})).json, {});
  });
});
