// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
/**
 * Concurrent requests that read before they write, over HTTP against every backend: SQLite
 * serializes writers in-process, PostgreSQL and MySQL do not (row locks, conflict retries).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiResult, startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

const post = (path: string, body: Record<string, unknown>) => s.call("POST", `${API}${path}`, body);
async function ok(path: string, body: Record<string, unknown>) {
  const r = await post(path, body);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.json;
}
const statuses = (rs: ApiResult[]) => rs.map((r) => r.status).sort((a, b) => a - b);

describe("concurrent writes", () => {
  it("12 clients creating one experiment name: one wins, the others get MLflow's RESOURCE_ALREADY_EXISTS", async () => {
    const rs = await Promise.all(Array.from({ length: 12 }, () => post("/experiments/create", { name: "raced" })));
    assert.deepEqual(statuses(rs), [200, ...new Array(11).fill(400)]);
    for (const r of rs.filter((x) => x.status !== 200)) {
      assert.equal(r.json.error_code, "RESOURCE_ALREADY_EXISTS");
      assert.equal(r.json.message, "Experiment(name=raced) already exists.");
    }
  });

  it("16 log-batch writers on one run, same keys in opposite orders: no error, no lost point, the greatest step is latest", async () => {
    const { experiment_id } = await ok("/experiments/create", { name: "batch-race" });
    const runId = (await ok("/runs/create", { experiment_id })).run.info.run_id as string;
    const keys = Array.from({ length: 20 }, (_, k) => `m${k}`);
    const rs = await Promise.all(
      Array.from({ length: 16 }, (_, w) =>
        post("/runs/log-batch", {
          run_id: runId,
          metrics: (w % 2 ? [...keys].reverse() : keys).map((key) => ({ key, value: w, timestamp: 1000 + w, step: w })),
          params: [{ key: "shared", value: "same" }],
          tags: [{ key: "writer", value: String(w) }],
        }),
      ),
    );
    assert.deepEqual(
      rs.map((r) => r.status),
      new Array(16).fill(200),
      rs.map((r) => r.text).join("\n"),
    );
    const run = (await s.call("GET", `${API}/runs/get`, { run_id: runId })).json.run;
    assert.equal(run.data.metrics.length, 20);
    for (const m of run.data.metrics) assert.deepEqual([m.value, m.step], [15, 15]);
    assert.deepEqual(run.data.params, [{ key: "shared", value: "same" }]);
    const history = await s.call("GET", `${API}/metrics/get-history`, { run_id: runId, metric_key: "m7" });
    assert.equal(history.json.metrics.length, 16);
  });

  it("racing params: equal values all succeed, a different value is MLflow's INVALID_PARAMETER_VALUE", async () => {
    const { experiment_id } = await ok("/experiments/create", { name: "param-race" });
    const runId = (await ok("/runs/create", { experiment_id })).run.info.run_id as string;
    const same = await Promise.all(
      Array.from({ length: 8 }, () => post("/runs/log-parameter", { run_id: runId, key: "p", value: "1" })),
    );
    assert.deepEqual(statuses(same), new Array(8).fill(200));
    const mixed = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post("/runs/log-parameter", { run_id: runId, key: "q", value: String(i % 2) }),
      ),
    );
    const codes = new Set(mixed.filter((r) => r.status !== 200).map((r) => r.json.error_code));
    assert.ok(mixed.some((r) => r.status === 200));
    assert.deepEqual([...codes], ["INVALID_PARAMETER_VALUE"]);
  });

  it("racing alias moves: every move is audited with the version it replaced", async () => {
    await ok("/registered-models/create", { name: "aliased-race" });
    for (let i = 0; i < 4; i++) await ok("/model-versions/create", { name: "aliased-race", source: `s3://b/${i}` });
    const rs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post("/registered-models/alias", { name: "aliased-race", alias: "champion", version: String((i % 4) + 1) }),
      ),
    );
    assert.deepEqual(statuses(rs), new Array(12).fill(200));
    const audit = await s.call("GET", "/api/2.0/mlflow-ts/registry/audit", { name: "aliased-race" });
    assert.equal(audit.status, 200, audit.text);
    const moves = (audit.json.entries as { action: string; from?: string; to?: string }[])
      .filter((e) => e.action === "alias_set")
      .reverse();
    assert.ok(moves.length >= 1);
    assert.equal(moves[0]?.from, undefined);
    // a chain: each move starts where the previous one ended (no move read a stale alias)
    for (let i = 1; i < moves.length; i++) assert.equal(moves[i]?.from, moves[i - 1]?.to);
    const current = await s.call("GET", `${API}/registered-models/alias`, { name: "aliased-race", alias: "champion" });
    assert.equal(current.json.model_version.version, moves[moves.length - 1]?.to);
  });
});
