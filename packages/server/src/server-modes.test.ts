import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveServerConfig } from "./config.js";
import { startTestServer } from "./test-support/test-server.js";

describe("server modes", () => {
  it("--static-prefix prefixes the UI routes, /ajax-api and /api, and keeps /api working", async () => {
    const s = await startTestServer({ staticPrefix: "/mlflow" });
    try {
      assert.equal((await fetch(`${s.url}/mlflow/health`)).status, 200);
      assert.equal((await fetch(`${s.url}/health`)).status, 404);
      const q = "?experiment_id=0";
      assert.equal((await fetch(`${s.url}/mlflow/api/2.0/mlflow/experiments/get${q}`)).status, 200);
      assert.equal((await fetch(`${s.url}/mlflow/ajax-api/2.0/mlflow/experiments/get${q}`)).status, 200);
      assert.equal((await fetch(`${s.url}/api/2.0/mlflow/experiments/get${q}`)).status, 200);
      assert.equal((await fetch(`${s.url}/ajax-api/2.0/mlflow/experiments/get${q}`)).status, 404);
    } finally {
      await s.close();
    }
  });

  it("--artifacts-only answers tracking routes with 503 and keeps the proxy", async () => {
    const s = await startTestServer({ artifactsOnly: true });
    try {
      const r = await fetch(`${s.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      assert.equal(r.status, 503);
      assert.match(await r.text(), /--artifacts-only/);
      for (const path of ["/api/2.0/mlflow/registered-models/search", "/api/2.0/mlflow-ts/webhooks/list"]) {
        assert.equal((await fetch(`${s.url}${path}`)).status, 503, path);
      }
      const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/a.txt`, { method: "PUT", body: "x" });
      assert.equal(put.status, 200);
    } finally {
      await s.close();
    }
  });

  it("--no-serve-artifacts answers proxy routes with 503", async () => {
    const s = await startTestServer({ serveArtifacts: false });
    try {
      const r = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/a.txt`, { method: "PUT", body: "x" });
      assert.equal(r.status, 503);
      assert.match(await r.text(), /--no-serve-artifacts/);
      const exp = await s.call("POST", "/api/2.0/mlflow/experiments/create", { name: "e" });
      const got = await s.call("GET", "/api/2.0/mlflow/experiments/get", { experiment_id: exp.json.experiment_id });
      assert.match(got.json.experiment.artifact_location, /^file:\/\/\/.*\/mlruns\/1$/);
    } finally {
      await s.close();
    }
  });

  it("resolves MLflow's defaults and rejects bad flags", () => {
    const c = resolveServerConfig({});
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 5000);
    assert.equal(c.backendStoreUri, "sqlite:///mlflow.db");
    assert.equal(c.defaultArtifactRoot, "mlflow-artifacts:/");
    assert.match(c.artifactsDestination, /\/mlartifacts$/);
    assert.equal(c.serveArtifacts, true);
    const env = resolveServerConfig({}, { MLFLOW_PORT: "6000", MLFLOW_SERVE_ARTIFACTS: "false" });
    assert.equal(env.port, 6000);
    assert.equal(env.serveArtifacts, false);
    assert.throws(() => resolveServerConfig({ port: "abc" }), /Invalid port/);
    assert.throws(() => resolveServerConfig({ staticPrefix: "mlflow" }), /--static-prefix/);
    assert.throws(() => resolveServerConfig({ staticPrefix: "/mlflow/" }), /--static-prefix/);
    assert.throws(() => resolveServerConfig({ backendStoreUri: "./mlruns" }), /backend-store-uri/);
    assert.throws(
      () => resolveServerConfig({ artifactsOnly: true, backendStoreUri: "sqlite:///other.db" }),
      /artifacts-only/,
    );
    assert.throws(() => resolveServerConfig({}, { MLFLOW_SERVE_ARTIFACTS: "maybe" }), /MLFLOW_SERVE_ARTIFACTS/);
  });
});
