// Drives a real mlflow-ts server with the third-party npm client `mlflow` (2.0.7,
// github.com/Yuhsak/mlflow). Every method the client offers is called; where the client itself is
// wrong (it targets MLflow 1.x or builds a bad URL) the test asserts what a 2.x server answers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import MLflow from "mlflow";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";

/** What the client rejects with on a non-200: `Error("Error: " + JSON.stringify({ status, statusText, data }))`. */
interface ClientFailure {
  status: number;
  statusText: string;
  data: { error_code?: string; message?: string } | null;
}

function clientFailure(err: unknown): ClientFailure {
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  const text = err.message.replace(/^Error: /, "");
  return JSON.parse(text) as ClientFailure;
}

/** Asserts that `promise` rejects with the client's error carrying MLflow's `status`/`error_code`. */
async function rejectsWith(promise: Promise<unknown>, status: number, errorCode: string, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    const failure = clientFailure(err);
    assert.equal(failure.status, status);
    assert.equal(failure.data?.error_code, errorCode);
    if (message) assert.match(failure.data?.message ?? "", message);
    return true;
  });
}

const tagMap = (tags: MLflow.KeyValue[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

describe("mlflow npm client (2.0.7) against mlflow-ts", () => {
  let server: TestServer;
  let client: MLflow;
  // The client console.log()s every POST body; keep them (and the test output quiet).
  const sentBodies: unknown[] = [];
  const originalLog = console.log;

  let experimentId = "";
  let runId = "";
  let otherRunId = "";

  before(async () => {
    console.log = (...args: unknown[]) => {
      for (const a of args) sentBodies.push(typeof a === "string" ? JSON.parse(a) : a);
    };
    server = await startTestServer();
    client = new MLflow({ endpoint: server.url });
  });

  after(async () => {
    console.log = originalLog;
    await server?.close();
  });

  describe("Experiments", () => {
    it("create → POST experiments/create returns the new id", async () => {
      const res = await client.Experiments.create({ name: "npm-e2e" });
      assert.match(res.experiment_id, /^\d+$/);
      assert.notEqual(res.experiment_id, "0");
      experimentId = res.experiment_id;
      assert.deepEqual(sentBodies.at(-1), { name: "npm-e2e" });

      const withLocation = await client.Experiments.create({
        name: "npm-e2e-located",
        artifact_location: "s3://bucket/npm-e2e",
      });
      const { experiment } = await client.Experiments.get({ experiment_id: withLocation.experiment_id });
      assert.equal(experiment.artifact_location, "s3://bucket/npm-e2e");
    });

    it("create with a taken name → RESOURCE_ALREADY_EXISTS (400)", async () => {
      await rejectsWith(client.Experiments.create({ name: "npm-e2e" }), 400, "RESOURCE_ALREADY_EXISTS", /npm-e2e/);
    });

    it("get → GET experiments/get returns the experiment", async () => {
      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      assert.equal(experiment.experiment_id, experimentId);
      assert.equal(experiment.name, "npm-e2e");
      assert.equal(experiment.lifecycle_stage, "active");
      assert.equal(experiment.artifact_location, `mlflow-artifacts:/${experimentId}`);
      assert.equal(typeof experiment.creation_time, "number");
      assert.equal(typeof experiment.last_update_time, "number");
      assert.ok(experiment.last_update_time >= experiment.creation_time);
    });

    it("get of an unknown id → RESOURCE_DOES_NOT_EXIST (404)", async () => {
      await rejectsWith(
        client.Experiments.get({ experiment_id: "987654" }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        /No Experiment with id=987654 exists/,
      );
    });

    it("update → POST experiments/update renames", async () => {
      const previous = (await client.Experiments.get({ experiment_id: experimentId })).experiment;
      assert.deepEqual(
        await client.Experiments.update({ experiment_id: experimentId, new_name: "npm-e2e-renamed" }),
        {},
      );
      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      assert.equal(experiment.name, "npm-e2e-renamed");
      assert.ok(experiment.last_update_time >= previous.last_update_time);
    });

    it("delete → POST experiments/delete soft-deletes; restore brings it back", async () => {
      const scratch = await client.Experiments.create({ name: "npm-e2e-scratch" });
      assert.deepEqual(await client.Experiments.delete({ experiment_id: scratch.experiment_id }), {});
      let { experiment } = await client.Experiments.get({ experiment_id: scratch.experiment_id });
      assert.equal(experiment.lifecycle_stage, "deleted");

      // Deleting again: the experiment is no longer active → 404 (tracking-api.md §5.1).
      await rejectsWith(
        client.Experiments.delete({ experiment_id: scratch.experiment_id }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );

      assert.deepEqual(await client.Experiments.restore({ experiment_id: scratch.experiment_id }), {});
      ({ experiment } = await client.Experiments.get({ experiment_id: scratch.experiment_id }));
      assert.equal(experiment.lifecycle_stage, "active");
      assert.equal(experiment.name, "npm-e2e-scratch");
    });

    // The client's list() sends GET /api/2.0/mlflow/experiments/list, MLflow 1.x's ListExperiments,
    // which MLflow 2.0 removed (tracking-api.md §3 lists only experiments/search). A 2.x server
    // answers 404, and so does mlflow-ts; listing works through search instead.
    it("list → GET experiments/list gets MLflow 2.x's 404 (the client targets a 1.x endpoint)", async () => {
      await rejectsWith(client.Experiments.list({ view_type: "ALL" }), 404, "ENDPOINT_NOT_FOUND");
      const viaSearch = await server.call("POST", "/api/2.0/mlflow/experiments/search", {
        max_results: 100,
        view_type: "ALL",
      });
      assert.ok(viaSearch.json.experiments.some((e: { experiment_id: string }) => e.experiment_id === experimentId));
    });

    // setExperimentTag() builds its URL without a slash (POST .../mlflow/experimentsset-experiment-tag),
    // a client bug: that path does not exist on MLflow either. The real endpoint works.
    it("setExperimentTag hits a misspelt path (404); the real set-experiment-tag works", async () => {
      await rejectsWith(
        client.Experiments.setExperimentTag({ experiment_id: experimentId, key: "team", value: "e2e" }),
        404,
        "ENDPOINT_NOT_FOUND",
      );
      const ok = await server.call("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", {
        experiment_id: experimentId,
        key: "team",
        value: "e2e",
      });
      assert.equal(ok.status, 200);
      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      assert.equal(tagMap(experiment.tags).team, "e2e");
    });
  });

  describe("Runs", () => {
    it("create → POST runs/create returns the run with info and tags", async () => {
      const { run } = await client.Runs.create({
        experiment_id: experimentId,
        user_id: "alice",
        start_time: 1_700_000_000_000,
        tags: [
          { key: "stage", value: "e2e" },
          { key: "mlflow.runName", value: "first-run" },
        ],
      });
      assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
      assert.equal(run.info.run_uuid, run.info.run_id);
      assert.equal(run.info.run_name, "first-run");
      assert.equal(run.info.experiment_id, experimentId);
      assert.equal(run.info.user_id, "alice");
      assert.equal(run.info.status, "RUNNING");
      assert.equal(run.info.start_time, 1_700_000_000_000);
      assert.equal(run.info.end_time, undefined);
      assert.equal(run.info.lifecycle_stage, "active");
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`);
      assert.deepEqual(tagMap(run.data.tags), { stage: "e2e", "mlflow.runName": "first-run" });
      runId = run.info.run_id;

      const other = await client.Runs.create({
        experiment_id: experimentId,
        user_id: "bob",
        start_time: 1_700_000_500_000,
      });
      otherRunId = other.run.info.run_id;
      assert.notEqual(otherRunId, runId);
      assert.ok(other.run.info.run_name, "a run name is generated when none is given");
    });

    it("create in an unknown experiment → RESOURCE_DOES_NOT_EXIST (404)", async () => {
      await rejectsWith(
        client.Runs.create({ experiment_id: "987654", user_id: "alice", start_time: 1 }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );
    });

    it("get → GET runs/get returns the run", async () => {
      const { run } = await client.Runs.get({ run_id: runId });
      assert.equal(run.info.run_id, runId);
      assert.equal(run.info.experiment_id, experimentId);
      assert.equal(run.info.status, "RUNNING");
      assert.equal(tagMap(run.data.tags).stage, "e2e");
    });

    it("get of an unknown run → RESOURCE_DOES_NOT_EXIST (404)", async () => {
      await rejectsWith(
        client.Runs.get({ run_id: "0123456789abcdef0123456789abcdef" }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        /0123456789abcdef0123456789abcdef/,
      );
    });

    it("logMetric → POST runs/log-metric (sends run_id and run_uuid)", async () => {
      assert.deepEqual(
        await client.Runs.logMetric({ run_id: runId, key: "loss", value: 0.9, timestamp: 1_700_000_001_000, step: 0 }),
        {},
      );
      assert.deepEqual(sentBodies.at(-1), {
        run_id: runId,
        run_uuid: runId,
        key: "loss",
        value: 0.9,
        timestamp: 1_700_000_001_000,
        step: 0,
      });
      await client.Runs.logMetric({ run_id: runId, key: "loss", value: 0.5, timestamp: 1_700_000_002_000, step: 1 });
      // step omitted by the caller: JSON.stringify drops it, the server defaults it to 0.
      await client.Runs.logMetric({ run_id: runId, key: "acc", value: 0.75, timestamp: 1_700_000_002_500 });
      await client.Runs.logMetric({
        run_id: otherRunId,
        key: "loss",
        value: 1.5,
        timestamp: 1_700_000_003_000,
        step: 0,
      });
    });

    it("logMetric with a bad key → INVALID_PARAMETER_VALUE (400)", async () => {
      await rejectsWith(
        client.Runs.logMetric({ run_id: runId, key: "../escape", value: 1, timestamp: 1 }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
    });

    it("logParameter → POST runs/log-parameter; changing a value → INVALID_PARAMETER_VALUE", async () => {
      assert.deepEqual(await client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.01" }), {});
      // Same value again is idempotent.
      assert.deepEqual(await client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.01" }), {});
      await rejectsWith(
        client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.02" }),
        400,
        "INVALID_PARAMETER_VALUE",
        /Changing param values is not allowed/,
      );
    });

    it("setTag / deleteTag → POST runs/set-tag, runs/delete-tag", async () => {
      assert.deepEqual(await client.Runs.setTag({ run_id: runId, key: "owner", value: "alice" }), {});
      assert.deepEqual(await client.Runs.setTag({ run_id: runId, key: "temp", value: "x" }), {});
      assert.deepEqual(await client.Runs.setTag({ run_id: runId, key: "owner", value: "carol" }), {});
      assert.deepEqual(await client.Runs.deleteTag({ run_id: runId, key: "temp" }), {});
      const tags = tagMap((await client.Runs.get({ run_id: runId })).run.data.tags);
      assert.equal(tags.owner, "carol");
      assert.equal(tags.temp, undefined);
      await rejectsWith(
        client.Runs.deleteTag({ run_id: runId, key: "temp" }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        /No tag with name: temp/,
      );
    });

    it("logBatch → POST runs/log-batch writes metrics, params and tags", async () => {
      assert.deepEqual(
        await client.Runs.logBatch({
          run_id: runId,
          metrics: [
            { key: "loss", value: 0.25, timestamp: 1_700_000_004_000, step: 2 },
            { key: "f1", value: 0.6, timestamp: 1_700_000_004_000, step: 2 },
          ],
          params: [
            { key: "epochs", value: "3" },
            { key: "optimizer", value: "adam" },
          ],
          tags: [{ key: "batch", value: "yes" }],
        }),
        {},
      );
      const { run } = await client.Runs.get({ run_id: runId });
      const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m]));
      // data.metrics holds the latest point per key.
      assert.deepEqual(metrics.loss, { key: "loss", value: 0.25, timestamp: 1_700_000_004_000, step: 2 });
      assert.deepEqual(metrics.acc, { key: "acc", value: 0.75, timestamp: 1_700_000_002_500, step: 0 });
      assert.deepEqual(metrics.f1, { key: "f1", value: 0.6, timestamp: 1_700_000_004_000, step: 2 });
      assert.deepEqual(tagMap(run.data.params), { lr: "0.01", epochs: "3", optimizer: "adam" });
      assert.equal(tagMap(run.data.tags).batch, "yes");
    });

    it("Metrics.getHistory → GET metrics/get-history returns every point", async () => {
      const { metrics } = await client.Metrics.getHistory({ run_id: runId, metric_key: "loss" });
      const points = (metrics ?? [])
        .map((m) => [m.step, m.value, m.timestamp])
        .sort((a, b) => Number(a[0]) - Number(b[0]));
      assert.deepEqual(points, [
        [0, 0.9, 1_700_000_001_000],
        [1, 0.5, 1_700_000_002_000],
        [2, 0.25, 1_700_000_004_000],
      ]);
      assert.ok((metrics ?? []).every((m) => m.key === "loss"));
      const none = await client.Metrics.getHistory({ run_id: runId, metric_key: "never-logged" });
      assert.deepEqual(none.metrics ?? [], []);
    });

    it("update → POST runs/update returns the updated run_info", async () => {
      const { run_info } = await client.Runs.update({ run_id: runId, status: "FINISHED", end_time: 1_700_000_009_000 });
      assert.equal(run_info.run_id, runId);
      assert.equal(run_info.status, "FINISHED");
      assert.equal(run_info.end_time, 1_700_000_009_000);
      assert.equal(run_info.start_time, 1_700_000_000_000);
      const { run } = await client.Runs.get({ run_id: runId });
      assert.equal(run.info.status, "FINISHED");
      assert.equal(run.info.end_time, 1_700_000_009_000);
    });

    it("search → POST runs/search with filter, order_by and paging", async () => {
      const all = await client.Runs.search({ experiment_ids: [experimentId] });
      // Default order: start_time DESC.
      assert.deepEqual(
        (all.runs ?? []).map((r) => r.info.run_id),
        [otherRunId, runId],
      );
      const found = all.runs?.find((r) => r.info.run_id === runId);
      assert.equal(tagMap(found?.data.params).optimizer, "adam");

      const filtered = await client.Runs.search({
        experiment_ids: [experimentId],
        filter: "metrics.loss < 1 and params.optimizer = 'adam'",
      });
      assert.deepEqual(
        (filtered.runs ?? []).map((r) => r.info.run_id),
        [runId],
      );

      const byStatus = await client.Runs.search({
        experiment_ids: [experimentId],
        filter: "attributes.status = 'RUNNING'",
      });
      assert.deepEqual(
        (byStatus.runs ?? []).map((r) => r.info.run_id),
        [otherRunId],
      );

      const page1 = await client.Runs.search({
        experiment_ids: [experimentId],
        order_by: ["metrics.loss ASC"],
        max_results: 1,
      });
      assert.deepEqual(
        (page1.runs ?? []).map((r) => r.info.run_id),
        [runId],
      );
      assert.ok(page1.next_page_token, "a full page carries a next_page_token");
      const page2 = await client.Runs.search({
        experiment_ids: [experimentId],
        order_by: ["metrics.loss ASC"],
        max_results: 1,
        page_token: page1.next_page_token,
      });
      assert.deepEqual(
        (page2.runs ?? []).map((r) => r.info.run_id),
        [otherRunId],
      );

      await rejectsWith(
        client.Runs.search({ experiment_ids: [experimentId], filter: "metrics.loss <<< 1" }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
    });

    it("delete / restore → POST runs/delete, runs/restore; search honours run_view_type", async () => {
      assert.deepEqual(await client.Runs.delete({ run_id: otherRunId }), {});
      assert.equal((await client.Runs.get({ run_id: otherRunId })).run.info.lifecycle_stage, "deleted");

      const ids = async (run_view_type: MLflow.ViewType) =>
        ((await client.Runs.search({ experiment_ids: [experimentId], run_view_type })).runs ?? [])
          .map((r) => r.info.run_id)
          .sort();
      assert.deepEqual(await ids("ACTIVE_ONLY"), [runId]);
      assert.deepEqual(await ids("DELETED_ONLY"), [otherRunId]);
      assert.deepEqual(await ids("ALL"), [runId, otherRunId].sort());

      // A deleted run rejects writes.
      await rejectsWith(
        client.Runs.setTag({ run_id: otherRunId, key: "k", value: "v" }),
        400,
        "INVALID_PARAMETER_VALUE",
        /must be in the 'active' state/,
      );

      assert.deepEqual(await client.Runs.restore({ run_id: otherRunId }), {});
      assert.equal((await client.Runs.get({ run_id: otherRunId })).run.info.lifecycle_stage, "active");
      assert.deepEqual(await ids("DELETED_ONLY"), []);
    });
  });

  describe("Artifacts", () => {
    it("list → GET artifacts/list on a run without artifacts", async () => {
      const res = await client.Artifacts.list({ run_id: otherRunId });
      assert.equal(res.root_uri, `mlflow-artifacts:/${experimentId}/${otherRunId}/artifacts`);
      assert.deepEqual(res.files ?? [], []);
    });

    it("list → GET artifacts/list at the root and under a path", async () => {
      // The npm client cannot upload; seed files through the server's artifact proxy.
      const base = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
      for (const [path, content] of [
        ["model/MLmodel", "flavors: {}\n"],
        ["model/conda.yaml", "name: e2e\n"],
        ["notes.txt", "hello"],
      ] as const) {
        const put = await fetch(`${base}/${path}`, { method: "PUT", body: content });
        assert.equal(put.status, 200, `seeding ${path}`);
      }

      const root = await client.Artifacts.list({ run_id: runId });
      assert.equal(root.root_uri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
      const byPath = (files: MLflow.FileInfo[] | undefined) =>
        [...(files ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      assert.deepEqual(byPath(root.files), [
        { path: "model", is_dir: true },
        { path: "notes.txt", is_dir: false, file_size: 5 },
      ]);

      const model = await client.Artifacts.list({ run_id: runId, path: "model" });
      assert.deepEqual(byPath(model.files), [
        { path: "model/MLmodel", is_dir: false, file_size: "flavors: {}\n".length },
        { path: "model/conda.yaml", is_dir: false, file_size: "name: e2e\n".length },
      ]);

      await rejectsWith(client.Artifacts.list({ run_id: runId, path: "../other" }), 400, "INVALID_PARAMETER_VALUE");
    });
  });
});
