import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, resolveServerConfig } from "./config.js";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const CREATE = "/api/2.0/mlflow/experiments/create";

function preflight(url: string, origin: string, path = CREATE) {
  return fetch(`${url}${path}`, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type,authorization",
    },
  });
}

function post(url: string, origin: string | undefined, name: string, path = CREATE) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(origin ? { Origin: origin } : {}) },
    body: JSON.stringify({ name }),
  });
}

describe("CORS (MLflow 3.x rules)", () => {
  describe("defaults: localhost origins only", () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer();
    });
    after(() => s.close());

    it("answers a preflight from any localhost port with 204 and the CORS headers", async () => {
      for (const origin of [
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "http://localhost",
      ]) {
        const r = await preflight(s.url, origin);
        assert.equal(r.status, 204, origin);
        assert.equal(r.headers.get("access-control-allow-origin"), origin);
        assert.match(r.headers.get("access-control-allow-methods") ?? "", /POST/);
        assert.match(r.headers.get("access-control-allow-methods") ?? "", /PATCH/);
        assert.equal(r.headers.get("access-control-allow-headers"), "content-type,authorization");
        assert.equal(r.headers.get("access-control-allow-credentials"), "true");
      }
    });

    it("serves an allowed cross-origin POST and exposes the headers to the page", async () => {
      const r = await post(s.url, "http://localhost:5173", "cors-ok");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:5173");
      assert.equal(r.headers.get("vary"), "Origin");
      assert.match(r.headers.get("access-control-expose-headers") ?? "", /ETag/);
    });

    it("refuses state-changing API calls from other origins with 403 and writes nothing", async () => {
      const r = await post(s.url, "https://evil.example", "cors-evil");
      assert.equal(r.status, 403);
      assert.equal(await r.text(), "Cross-origin request blocked");
      const got = await s.call("GET", "/api/2.0/mlflow/experiments/get-by-name", { experiment_name: "cors-evil" });
      assert.equal(got.status, 404);
      const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/x.txt`, {
        method: "PUT",
        headers: { Origin: "http://localhost.evil.example" },
        body: "x",
      });
      assert.equal(put.status, 403);
    });

    it("lets other origins read (no CORS headers, so a browser hides the answer) and preflights get none", async () => {
      const r = await fetch(`${s.url}/api/2.0/mlflow/experiments/get?experiment_id=0`, {
        headers: { Origin: "https://evil.example" },
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("access-control-allow-origin"), null);
      const p = await preflight(s.url, "https://evil.example");
      assert.equal(p.status, 204);
      assert.equal(p.headers.get("access-control-allow-origin"), null);
    });

    it("leaves requests without Origin (non-browser clients) alone", async () => {
      const r = await post(s.url, undefined, "cors-cli");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("access-control-allow-origin"), null);
    });
  });

  it("--cors-allowed-origins adds exact origins and globs; localhost stays allowed", async () => {
    const s = await startTestServer({ corsAllowedOrigins: "https://app.example.com, https://*.corp.example" });
    try {
      assert.equal((await post(s.url, "https://app.example.com", "a")).status, 200);
      assert.equal((await post(s.url, "https://ml.corp.example", "b")).status, 200);
      assert.equal((await post(s.url, "http://localhost:4000", "c")).status, 200);
      assert.equal((await post(s.url, "https://app.example.com.evil.example", "d")).status, 403);
      assert.equal((await post(s.url, "http://app.example.com", "e")).status, 403);
      const p = await preflight(s.url, "https://ml.corp.example");
      assert.equal(p.headers.get("access-control-allow-origin"), "https://ml.corp.example");
    } finally {
      await s.close();
    }
  });

  it("* allows every origin, also under the static prefix", async () => {
    const s = await startTestServer({ corsAllowedOrigins: "*", staticPrefix: "/mlflow" });
    try {
      const r = await post(s.url, "https://anywhere.example", "star", `/mlflow/ajax-api/2.0/mlflow/experiments/create`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("access-control-allow-origin"), "https://anywhere.example");
    } finally {
      await s.close();
    }
    const strict = await startTestServer({ staticPrefix: "/mlflow" });
    try {
      const r = await post(strict.url, "https://x.example", "p", `/mlflow/ajax-api/2.0/mlflow/experiments/create`);
      assert.equal(r.status, 403);
    } finally {
      await strict.close();
    }
  });

  it("reads MLFLOW_SERVER_CORS_ALLOWED_ORIGINS, lets the flag win, and rejects malformed origins", () => {
    assert.deepEqual(resolveServerConfig({}).corsAllowedOrigins, []);
    const env = { MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: "https://a.example,https://b.example:8443" };
    assert.deepEqual(resolveServerConfig({}, env).corsAllowedOrigins, ["https://a.example", "https://b.example:8443"]);
    assert.deepEqual(resolveServerConfig({ corsAllowedOrigins: "*" }, env).corsAllowedOrigins, ["*"]);
    assert.throws(() => resolveServerConfig({ corsAllowedOrigins: "example.com" }), ConfigError);
    assert.throws(() => resolveServerConfig({ corsAllowedOrigins: "https://a.example/path" }), ConfigError);
  });
});
