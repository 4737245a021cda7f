import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { Mlflow, MlflowClient, type MlflowOptions } from "../node/index.js";

const tagsOf = (run: { data: { tags?: { key: string; value: string }[] } }) =>
  Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));

/** Runs `fn` with MLflow's environment variables set, then restores them. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("fluent API", () => {
  let server: TestServer;
  let client: MlflowClient;
  const make = (o: MlflowOptions = {}) =>
    new Mlflow({ trackingUri: server.url, flushOnExit: false, queue: { warn: () => {} }, ...o });
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
  });
  after(() => server.close());

  it("setExperiment creates or reuses by name; runs get MLflow's system tags", async () => {
    const m = make();
    const exp = await m.setExperiment("fluent");
    assert.equal((await m.setExperiment("fluent")).experiment_id, exp.experiment_id);
    const run = await m.startRun({ runName: "first", tags: { own: "1" }, description: "about" });
    assert.equal(run.info.experiment_id, exp.experiment_id);
    assert.equal(run.info.run_name, "first");
    const tags = tagsOf(run);
    assert.equal(tags["mlflow.source.type"], "LOCAL");
    assert.equal(tags["mlflow.source.name"], process.argv[1]);
    assert.ok(tags["mlflow.user"]);
    assert.equal(run.info.user_id, tags["mlflow.user"]);
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    assert.equal(tags["mlflow.source.git.commit"], head);
    assert.equal(tags.own, "1");
    assert.equal(tags["mlflow.note.content"], "about");
    await assert.rejects(m.startRun(), /is already active.*nested: true/);
    await m.endRun("KILLED");
    assert.equal((await client.getRun(run.info.run_id)).info.status, "KILLED");
    assert.equal(m.activeRun(), undefined);
    const deleted = await client.createExperiment("gone");
    await client.deleteExperiment(deleted);
    await assert.rejects(m.setExperiment({ experimentId: deleted }), /Cannot set a deleted experiment/);
  });

  it("nests runs with mlflow.parentRunId and ends them innermost first", async () => {
    const m = make();
    const parent = await m.startRun();
    const child = await m.startRun({ nested: true });
    assert.equal(tagsOf(child)["mlflow.parentRunId"], parent.info.run_id);
    assert.equal(m.activeRun()?.info.run_id, child.info.run_id);
    await m.endRun();
    assert.equal(m.activeRun()?.info.run_id, parent.info.run_id);
    await m.endRun();
    assert.equal((await client.getRun(child.info.run_id)).info.status, "FINISHED");
    assert.equal((await client.getRun(parent.info.run_id)).info.status, "FINISHED");
  });

  it("withRun ends FINISHED, or FAILED when the callback throws (and rethrows)", async () => {
    const m = make();
    const ok = await m.withRun({ runName: "ok" }, async (run) => {
      await m.logMetric("x", 1);
      return run.info.run_id;
    });
    assert.equal((await client.getRun(ok)).info.status, "FINISHED");
    assert.equal((await client.getMetricHistory(ok, "x")).length, 1);
    let failedId = "";
    await assert.rejects(
      m.withRun({}, async (run) => {
        failedId = run.info.run_id;
        await m.startRun({ nested: true });
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal((await client.getRun(failedId)).info.status, "FAILED");
    assert.equal(m.activeRun(), undefined);
  });

  it("logs params, metrics (step, timestamp), tags, inputs; starts a run when none is active", async () => {
    const m = make();
    await m.logParams({ lr: 0.1, layers: [64, 32], name: "net" });
    const runId = m.activeRun()?.info.run_id as string;
    assert.ok(runId);
    await m.logParam("long", "x".repeat(7000));
    await m.logMetric("loss", 0.9, { step: 3, timestamp: 1234 });
    await m.logMetrics({ acc: 0.5, f1: 0.25 }, { step: 1 });
    await m.setTags({ phase: "train" });
    await m.setTag("deleteme", "1");
    await m.deleteTag("deleteme");
    await m.logInput(
      { name: "mnist", digest: "d1", source_type: "local", source: "{}" },
      { context: "training", tags: { extra: "y" } },
    );
    await m.endRun();
    const run = await client.getRun(runId);
    const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
    assert.equal(params.lr, "0.1");
    assert.equal(params.layers, "[64,32]");
    assert.equal(params.long?.length, 6000);
    assert.deepEqual(await client.getMetricHistory(runId, "loss"), [
      { key: "loss", value: 0.9, timestamp: 1234, step: 3 },
    ]);
    assert.equal((await client.getMetricHistory(runId, "f1"))[0]?.step, 1);
    assert.equal(tagsOf(run).phase, "train");
    assert.equal(tagsOf(run).deleteme, undefined);
    const input = run.inputs.dataset_inputs?.[0];
    assert.equal(input?.dataset.name, "mnist");
    assert.deepEqual(input?.tags, [
      { key: "extra", value: "y" },
      { key: "mlflow.data.context", value: "training" },
    ]);
  });

  it("synchronous logging waits for the server and rejects with its error", async () => {
    const m = make({ asyncLogging: false });
    await m.startRun();
    await m.logParam("p", "1");
    await assert.rejects(m.logParam("p", "2"), { errorCode: "INVALID_PARAMETER_VALUE" });
    const queued = make();
    await queued.startRun();
    await queued.logParam("p", "1", { synchronous: true });
    await assert.rejects(queued.logMetric("bad//key", 1, { synchronous: true }), {
      errorCode: "INVALID_PARAMETER_VALUE",
    });
    await m.endRun();
    await queued.endRun();
  });

  it("takes the experiment from MLFLOW_EXPERIMENT_NAME / _ID and resumes MLFLOW_RUN_ID", async () => {
    await withEnv({ MLFLOW_EXPERIMENT_NAME: "from-env" }, async () => {
      const run = await make().startRun();
      const exp = await client.getExperimentByName("from-env");
      assert.equal(run.info.experiment_id, exp?.experiment_id);
    });
    const id = await client.createExperiment("by-id");
    await withEnv({ MLFLOW_EXPERIMENT_ID: id }, async () => {
      assert.equal((await make().startRun()).info.experiment_id, id);
    });
    await withEnv({ MLFLOW_EXPERIMENT_ID: "999" }, async () => {
      await assert.rejects(make().startRun(), /MLFLOW_EXPERIMENT_ID.*999.*does not exist/);
    });
    const existing = await client.createRun(id);
    await client.setTerminated(existing.info.run_id, "FAILED");
    await withEnv({ MLFLOW_RUN_ID: existing.info.run_id, MLFLOW_TRACKING_URI: server.url }, async () => {
      const m = new Mlflow({ flushOnExit: false });
      assert.equal(m.getTrackingUri(), server.url);
      const resumed = await m.startRun({ tags: { again: "yes" } });
      assert.equal(resumed.info.run_id, existing.info.run_id);
      assert.equal(resumed.info.status, "RUNNING");
      assert.equal(tagsOf(resumed).again, "yes");
      await m.endRun();
    });
  });
});
