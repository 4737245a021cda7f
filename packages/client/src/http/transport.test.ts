import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { MlflowError } from "../errors.js";
import { MlflowClient } from "../node/index.js";
import { startRecordingProxy } from "../test-support/recording-proxy.js";

/** A scripted HTTP server on 127.0.0.1: each request gets the next answer. */
async function scripted(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let n = 0;
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    handler(req, res, n++);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const fast = { maxRetries: 3, backoffFactorMs: 5, backoffJitterMs: 0 };
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

describe("transport", () => {
  it("sends Basic auth from user name and password, else Bearer, also from the URI", async () => {
    const s = await scripted((_req, res) => json(res, 200, {}));
    try {
      await new MlflowClient({ trackingUri: s.url, username: "alice", password: "pä:ss", token: "t" }).getExperiment(
        "1",
      );
      await new MlflowClient({ trackingUri: s.url, token: "tok" }).getExperiment("1");
      const u = new URL(s.url);
      await new MlflowClient({ trackingUri: `http://bob:secret@${u.host}` }).getExperiment("1");
      const auth = s.seen.map((r) => r.headers.authorization);
      assert.equal(auth[0], `Basic ${Buffer.from("alice:pä:ss").toString("base64")}`);
      assert.equal(auth[1], "Bearer tok");
      assert.equal(auth[2], `Basic ${Buffer.from("bob:secret").toString("base64")}`);
      assert.match(String(s.seen[0]?.headers["user-agent"]), /^mlflow-ts-client\//);
    } finally {
      await s.close();
    }
  });

  it("retries idempotent calls on 5xx/429 with backoff, honouring Retry-After", async () => {
    const s = await scripted((_req, res, n) => {
      if (n === 0) return json(res, 503, { error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" });
      if (n === 1) return json(res, 429, {}, { "Retry-After": "0" });
      json(res, 200, { run: { info: { run_id: "r" }, data: {} } });
    });
    try {
      const run = await new MlflowClient({ trackingUri: s.url, retry: fast }).getRun("r");
      assert.equal(run.info.run_id, "r");
      assert.equal(s.seen.length, 3);
    } finally {
      await s.close();
    }
  });

  it("does not retry calls that are not idempotent, and gives up after maxRetries", async () => {
    const s = await scripted((_req, res) => json(res, 503, { error_code: "TEMPORARILY_UNAVAILABLE", message: "down" }));
    try {
      const c = new MlflowClient({ trackingUri: s.url, retry: fast });
      await assert.rejects(c.createExperiment("x"), { errorCode: "TEMPORARILY_UNAVAILABLE", httpStatus: 503 });
      assert.equal(s.seen.length, 1);
      await assert.rejects(c.getRun("x"), { errorCode: "TEMPORARILY_UNAVAILABLE", message: "down" });
      assert.equal(s.seen.length, 1 + 4);
    } finally {
      await s.close();
    }
  });

  it("maps non-JSON error bodies by status, refuses non-object 200s, times out, reports refused connections", async () => {
    const s = await scripted((req, res) => {
      if (req.url?.includes("runs/get")) {
        res.writeHead(502, { "Content-Type": "text/html" });
        return res.end("<h1>Bad gateway</h1>");
      }
      if (req.url?.includes("experiments/get?")) return json(res, 200, [1, 2]);
      // never answers: the timeout must fire
    });
    try {
      const c = new MlflowClient({ trackingUri: s.url, retry: { maxRetries: 0 }, timeoutMs: 200 });
      await assert.rejects(c.getRun("x"), (e: unknown) => {
        assert.ok(e instanceof MlflowError);
        assert.equal(e.errorCode, "INTERNAL_ERROR");
        assert.equal(e.httpStatus, 502);
        assert.match(e.message, /502 != 200.*Bad gateway/);
        return true;
      });
      await assert.rejects(c.getExperiment("1"), /not a JSON object/);
      await assert.rejects(c.searchRuns(["1"]), { errorCode: "DEADLINE_EXCEEDED" });
    } finally {
      await s.close();
    }
    const gone = new MlflowClient({ trackingUri: s.url, retry: { maxRetries: 0 } });
    await assert.rejects(gone.getRun("x"), (e: unknown) => {
      assert.ok(e instanceof MlflowError);
      assert.equal(e.errorCode, "TEMPORARILY_UNAVAILABLE");
      assert.match(e.message, /ECONNREFUSED|UND_ERR_SOCKET/);
      return true;
    });
  });

  describe("against the server", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it("reuses keep-alive connections for sequential calls", async () => {
      const proxy = await startRecordingProxy(server.url);
      try {
        const c = new MlflowClient(proxy.url);
        const exp = await c.createExperiment("keepalive");
        const run = await c.createRun(exp);
        for (let i = 0; i < 20; i++) await c.logMetric(run.info.run_id, "m", i, { step: i });
        assert.equal(proxy.requests.length, 22);
        // Kept alive: undici may open a second pooled socket when a call follows the last one
        // before its socket is back in the pool, but never one per request.
        assert.ok(proxy.connections <= 2, `${proxy.connections} connections for 22 requests`);
      } finally {
        await proxy.close();
      }
    });
  });
});
