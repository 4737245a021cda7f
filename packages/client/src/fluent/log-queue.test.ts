import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { Mlflow, MlflowClient } from "../node/index.js";
import { type RecordedRequest, startRecordingProxy } from "../test-support/recording-proxy.js";

const batches = (reqs: RecordedRequest[]) => reqs.filter((r) => r.path.endsWith("/runs/log-batch")).map((r) => r.body);

describe("queued logging (log-batch)", () => {
  let server: TestServer;
  let client: MlflowClient;
  let experimentId: string;
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    experimentId = await client.createExperiment("queue");
  });
  after(() => server.close());

  it("returns at once, sends in order within MLflow's per-request limits, flush() waits for all", async () => {
    const proxy = await startRecordingProxy(server.url);
    try {
      const m = new Mlflow({ trackingUri: proxy.url, flushOnExit: false });
      const run = await m.startRun({ experimentId });
      const runId = run.info.run_id;
      const started = performance.now();
      for (let i = 0; i < 2500; i++) {
        void m.logMetric("loss", 1 / (i + 1), { step: i });
        if (i % 10 === 0) void m.logParam(`p${i / 10}`, i);
        if (i % 20 === 0) void m.setTag("epoch", i);
      }
      assert.ok(performance.now() - started < 500, "logging calls must not wait for the server");
      assert.equal(proxy.requests.filter((r) => r.path.endsWith("log-batch")).length, 0);
      await m.flush();
      const sent = batches(proxy.requests);
      for (const b of sent) {
        assert.equal(b.run_id, runId);
        assert.ok(b.metrics.length <= 1000 && b.params.length <= 100 && b.tags.length <= 100);
        assert.ok(b.metrics.length + b.params.length + b.tags.length <= 1000);
        assert.equal(new Set(b.params.map((p: { key: string }) => p.key)).size, b.params.length);
      }
      assert.equal(
        sent.reduce((n, b) => n + b.metrics.length, 0),
        2500,
      );
      assert.ok(sent.length <= 6, `${sent.length} requests for 2,875 values`);
      const history = await client.getMetricHistory(runId, "loss");
      assert.deepEqual(
        history.map((p) => p.step),
        Array.from({ length: 2500 }, (_, i) => i),
      );
      const got = await client.getRun(runId);
      assert.equal(got.data.params?.length, 250);
      assert.equal(got.data.tags?.find((t) => t.key === "epoch")?.value, "2480");
      await m.endRun();
    } finally {
      await proxy.close();
    }
  });

  it("a server outage mid-training loses nothing: sends wait and resume when it is back", async () => {
    const proxy = await startRecordingProxy(server.url);
    const warnings: string[] = [];
    try {
      const m = new Mlflow({
        trackingUri: proxy.url,
        flushOnExit: false,
        queue: { lingerMs: 5, retryDelayMs: 20, maxRetryDelayMs: 100, warn: (w) => warnings.push(w) },
      });
      const runId = (await m.startRun({ experimentId })).info.run_id;
      for (let step = 0; step < 300; step++) void m.logMetric("acc", step / 300, { step });
      await m.flush();
      await proxy.down();
      for (let step = 300; step < 1500; step++) {
        void m.logMetric("acc", step / 1500, { step });
        if (step % 100 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      const flushed = m.flush();
      await new Promise((r) => setTimeout(r, 300));
      await proxy.up();
      await flushed;
      await m.endRun();
      const history = await client.getMetricHistory(runId, "acc");
      assert.deepEqual(
        history.map((p) => p.step),
        Array.from({ length: 1500 }, (_, i) => i),
      );
      assert.ok(warnings.some((w) => /waiting for the server/.test(w)));
      assert.ok(warnings.some((w) => /reachable again/.test(w)));
      assert.equal((await client.getRun(runId)).info.status, "FINISHED");
    } finally {
      await proxy.close();
    }
  });

  it("isolates values the server refuses, keeps the rest, and reports them from flush()", async () => {
    const proxy = await startRecordingProxy(server.url);
    const refused: string[] = [];
    try {
      const m = new Mlflow({
        trackingUri: proxy.url,
        flushOnExit: false,
        queue: { onError: (_e, items) => refused.push(...items.map((i) => i.key)) },
      });
      const runId = (await m.startRun({ experimentId })).info.run_id;
      for (let i = 0; i < 200; i++) void m.logMetric(i === 137 ? "bad//key" : "good", i, { step: i });
      await assert.rejects(m.flush(), { errorCode: "INVALID_PARAMETER_VALUE" });
      assert.deepEqual(refused, ["bad//key"]);
      assert.equal((await client.getMetricHistory(runId, "good")).length, 199);
      assert.ok(batches(proxy.requests).length < 30);
      await m.flush();
      await m.endRun();
    } finally {
      await proxy.close();
    }
  });

  describe("flush on exit (child processes)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-exit-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const entry = new URL("../node/index.js", import.meta.url).href;

    function runChild(name: string, body: string, env: Record<string, string> = {}) {
      const file = join(dir, `${name}.mjs`);
      writeFileSync(file, `import * as mlflow from ${JSON.stringify(entry)};\n${body}\n`);
      return new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [file], {
          env: { ...process.env, MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_ID: experimentId, ...env },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    }

    async function runNamed(name: string) {
      const found = await client.searchRuns([experimentId], { filter: `attributes.run_name = '${name}'` });
      assert.equal(found.items.length, 1, name);
      return found.items[0] as NonNullable<(typeof found.items)[0]>;
    }

    it("sends everything and ends the run FINISHED when the script just ends, or calls process.exit()", async () => {
      const loop = `for (let i = 0; i < 3000; i++) mlflow.logMetric("m", i, { step: i });`;
      const natural = await runChild("natural", `await mlflow.startRun({ runName: "natural" });\n${loop}`);
      const exited = await runChild(
        "exited",
        `await mlflow.startRun({ runName: "exited" });\n${loop}\nprocess.exit(0);`,
      );
      assert.equal(natural.code, 0, natural.stderr);
      assert.equal(exited.code, 0, exited.stderr);
      for (const name of ["natural", "exited"]) {
        const run = await runNamed(name);
        assert.equal(run.info.status, "FINISHED", name);
        assert.equal((await client.getMetricHistory(run.info.run_id, "m")).length, 3000, name);
      }
    });

    it("ends the run FAILED on an uncaught exception, after sending what was logged", async () => {
      const r = await runChild(
        "crash",
        `await mlflow.startRun({ runName: "crash" });\nfor (let i = 0; i < 1500; i++) mlflow.logMetric("m", i, { step: i });\nthrow new Error("training diverged");`,
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /training diverged/);
      const run = await runNamed("crash");
      assert.equal(run.info.status, "FAILED");
      assert.equal((await client.getMetricHistory(run.info.run_id, "m")).length, 1500);
    });
  });
});
