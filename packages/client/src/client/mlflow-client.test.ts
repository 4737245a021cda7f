import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { MlflowError } from "../errors.js";
import { MlflowClient } from "../node/index.js";

describe("MlflowClient against the real server: tracking", () => {
  let server: TestServer;
  let client: MlflowClient;
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient({ trackingUri: server.url });
  });
  after(() => server.close());

  it("creates, finds, renames, tags, searches, deletes and restores experiments", async () => {
    const id = await client.createExperiment("exp-a", { tags: { team: "ml" } });
    const exp = await client.getExperiment(id);
    assert.equal(exp.name, "exp-a");
    assert.deepEqual(exp.tags, [{ key: "team", value: "ml" }]);
    assert.equal((await client.getExperimentByName("exp-a"))?.experiment_id, id);
    assert.equal(await client.getExperimentByName("nope"), undefined);
    await client.renameExperiment(id, "exp-b");
    await client.setExperimentTag(id, "k", "v");
    await client.deleteExperimentTag(id, "team");
    const renamed = await client.getExperiment(id);
    assert.equal(renamed.name, "exp-b");
    assert.deepEqual(renamed.tags, [{ key: "k", value: "v" }]);
    const found = await client.searchExperiments({ filter: "name = 'exp-b'" });
    assert.deepEqual(
      found.items.map((e) => e.experiment_id),
      [id],
    );
    await client.deleteExperiment(id);
    assert.equal((await client.getExperiment(id)).lifecycle_stage, "deleted");
    await client.restoreExperiment(id);
    const p1 = await client.searchExperiments({ maxResults: 1 });
    assert.equal(p1.items.length, 1);
    assert.ok(p1.nextPageToken);
    const p2 = await client.searchExperiments({ maxResults: 1, pageToken: p1.nextPageToken as string });
    assert.notEqual(p2.items[0]?.experiment_id, p1.items[0]?.experiment_id);
  });

  it("rebuilds server errors as MlflowError with MLflow's code and status", async () => {
    await client.createExperiment("dup");
    await assert.rejects(client.createExperiment("dup"), (e: unknown) => {
      assert.ok(e instanceof MlflowError);
      assert.equal(e.errorCode, "RESOURCE_ALREADY_EXISTS");
      assert.equal(e.httpStatus, 400);
      assert.match(e.message, /already exists/);
      return true;
    });
    await assert.rejects(client.getRun("0123456789abcdef0123456789abcdef"), (e: unknown) => {
      assert.ok(e instanceof MlflowError);
      assert.equal(e.errorCode, "RESOURCE_DOES_NOT_EXIST");
      assert.equal(e.httpStatus, 404);
      return true;
    });
  });

  it("runs: create, log everything, update, search, delete, restore", async () => {
    const exp = await client.createExperiment("runs");
    const run = await client.createRun(exp, { runName: "r1", tags: { a: "1" } });
    const id = run.info.run_id;
    assert.equal(run.info.run_name, "r1");
    assert.equal(run.info.status, "RUNNING");
    await client.logMetric(id, "loss", 0.5, { step: 1, timestamp: 1000 });
    await client.logMetric(id, "loss", Number.NaN, { step: 2, timestamp: 2000 });
    await client.logMetric(id, "inf", Number.POSITIVE_INFINITY);
    await client.logParam(id, "lr", 0.01);
    await client.setTag(id, "b", "2");
    await client.deleteTag(id, "a");
    const history = await client.getMetricHistory(id, "loss");
    assert.deepEqual(
      history.map((m) => [m.step, m.value]),
      [
        [1, 0.5],
        [2, Number.NaN],
      ],
    );
    const got = await client.getRun(id);
    assert.equal(got.data.params?.find((p) => p.key === "lr")?.value, "0.01");
    assert.equal(
      got.data.tags?.find((t) => t.key === "a"),
      undefined,
    );
    assert.ok(Number.isNaN(got.data.metrics?.find((m) => m.key === "loss")?.value as number));
    const info = await client.setTerminated(id, "FINISHED", 5000);
    assert.equal(info.status, "FINISHED");
    assert.equal(info.end_time, 5000);
    const hits = await client.searchRuns([exp], { filter: "params.lr = '0.01'" });
    assert.deepEqual(
      hits.items.map((r) => r.info.run_id),
      [id],
    );
    const bulk = await client.getMetricHistoryBulkInterval([id], "loss");
    assert.equal(bulk.length, 2);
    assert.equal(bulk[0]?.run_id, id);
    await client.deleteRun(id);
    assert.equal((await client.getRun(id)).info.lifecycle_stage, "deleted");
    await client.restoreRun(id);
    await client.updateRun(id, { runName: "renamed" });
    assert.equal((await client.getRun(id)).info.run_name, "renamed");
  });

  it("logBatch splits into requests within MLflow's limits and keeps order", async () => {
    const exp = await client.createExperiment("batch");
    const id = (await client.createRun(exp)).info.run_id;
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: "m", value: i, step: i, timestamp: 1 }));
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, String(i)]));
    const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, String(i)]));
    await client.logBatch(id, { metrics, params, tags });
    const run = await client.getRun(id);
    assert.equal(run.data.params?.length, 250);
    assert.equal(run.data.tags?.filter((t) => t.key.startsWith("t")).length, 120);
    const history = await client.getMetricHistory(id, "m");
    assert.deepEqual(
      history.map((m) => m.value),
      metrics.map((m) => m.value),
    );
  });

  it("logs dataset inputs, searches datasets, records logged models", async () => {
    const exp = await client.createExperiment("data");
    const id = (await client.createRun(exp)).info.run_id;
    const dataset = { name: "iris", digest: "abc123", source_type: "local", source: '{"uri": "iris.csv"}' };
    await client.logInputs(id, [{ dataset, tags: { "mlflow.data.context": "training" } }]);
    const run = await client.getRun(id);
    assert.equal(run.inputs.dataset_inputs?.[0]?.dataset.name, "iris");
    const summaries = await client.searchDatasets([exp]);
    assert.deepEqual(summaries, [{ experiment_id: exp, name: "iris", digest: "abc123", context: "training" }]);
    await client.recordLoggedModel(id, {
      artifact_path: "model",
      flavors: { onnx: {} },
      utc_time_created: "2024-01-01 00:00:00.000000",
      run_id: id,
    });
    const tag = (await client.getRun(id)).data.tags?.find((t) => t.key === "mlflow.log-model.history");
    assert.match(tag?.value ?? "", /"artifact_path":\s*"model"/);
  });
});

describe("MlflowClient against the real server: model registry", () => {
  let server: TestServer;
  let client: MlflowClient;
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
  });
  after(() => server.close());

  it("registers models, versions, stages, aliases and tags; searches; renames; deletes", async () => {
    const exp = await client.createExperiment("reg");
    const run = await client.createRun(exp);
    const runId = run.info.run_id;
    const rm = await client.createRegisteredModel("churn", { tags: { team: "ml" }, description: "d" });
    assert.equal(rm.name, "churn");
    const v1 = await client.registerModel(`runs:/${runId}/model`, "churn");
    assert.equal(v1.version, "1");
    assert.equal(v1.status, "READY");
    assert.equal(v1.source, `${run.info.artifact_uri}/model`);
    assert.equal(v1.run_id, runId);
    const v2 = await client.createModelVersion("churn", `${run.info.artifact_uri}/model2`, { runId, tags: { x: "1" } });
    assert.equal(v2.version, "2");
    await client.transitionModelVersionStage("churn", 1, "production");
    await client.transitionModelVersionStage("churn", 2, "Staging");
    const latest = await client.getLatestVersions("churn", ["Production"]);
    assert.deepEqual(
      latest.map((v) => v.version),
      ["1"],
    );
    await client.setRegisteredModelAlias("churn", "champion", 2);
    assert.equal((await client.getModelVersionByAlias("churn", "champion")).version, "2");
    await client.deleteRegisteredModelAlias("churn", "champion");
    await assert.rejects(client.getModelVersionByAlias("churn", "champion"), { errorCode: "INVALID_PARAMETER_VALUE" });
    await client.setRegisteredModelTag("churn", "k", "v");
    await client.deleteRegisteredModelTag("churn", "team");
    await client.setModelVersionTag("churn", 2, "vk", "vv");
    await client.deleteModelVersionTag("churn", 2, "x");
    assert.deepEqual((await client.getModelVersion("churn", 2)).tags, [{ key: "vk", value: "vv" }]);
    assert.equal((await client.updateModelVersion("churn", 2, "second")).description, "second");
    assert.equal((await client.updateRegisteredModel("churn", "desc")).description, "desc");
    assert.equal(await client.getModelVersionDownloadUri("churn", 2), `${run.info.artifact_uri}/model2`);
    const models = await client.searchRegisteredModels({ filter: "name LIKE 'ch%'" });
    assert.deepEqual(
      models.items.map((m) => m.name),
      ["churn"],
    );
    const versions = await client.searchModelVersions({ filter: "name = 'churn'", orderBy: ["version_number ASC"] });
    assert.deepEqual(
      versions.items.map((v) => v.version),
      ["1", "2"],
    );
    const audit = await client.listRegistryAudit({ name: "churn" });
    assert.ok(audit.items.some((e) => e.action === "alias_set"));
    await client.deleteModelVersion("churn", 1);
    await assert.rejects(client.getModelVersion("churn", 1), { errorCode: "RESOURCE_DOES_NOT_EXIST" });
    const renamed = await client.renameRegisteredModel("churn", "churn2");
    assert.equal(renamed.name, "churn2");
    assert.equal((await client.getRegisteredModel("churn2")).description, "desc");
    await client.deleteRegisteredModel("churn2");
    await assert.rejects(client.getRegisteredModel("churn2"), {
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      httpStatus: 404,
    });
  });

  it("manages webhooks", async () => {
    const hook = await client.createWebhook({
      name: "h",
      url: "http://127.0.0.1:9/never",
      events: ["model_version.created"],
      status: "DISABLED",
    });
    assert.equal((await client.getWebhook(hook.id)).name, "h");
    assert.equal((await client.updateWebhook(hook.id, { name: "h2" })).name, "h2");
    assert.deepEqual(
      (await client.listWebhooks()).items.map((w) => w.id),
      [hook.id],
    );
    assert.deepEqual((await client.listWebhookDeliveries({ webhookId: hook.id })).items, []);
    await assert.rejects(client.testWebhook(hook.id), { errorCode: "INVALID_PARAMETER_VALUE" }); // disabled
    await client.updateWebhook(hook.id, { status: "ACTIVE" });
    await client.testWebhook(hook.id);
    const [test] = (await client.listWebhookDeliveries({ webhookId: hook.id })).items;
    assert.equal(test?.event, "webhook.test");
    await client.deleteWebhook(hook.id);
    assert.deepEqual((await client.listWebhooks()).items, []);
  });
});
