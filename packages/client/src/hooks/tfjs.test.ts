import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import * as tf from "@tensorflow/tfjs";
import { Mlflow, MlflowClient } from "../node/index.js";
import { mlflowCallback } from "./tfjs.js";

describe("TF.js fit callback", () => {
  let server: TestServer;
  let client: MlflowClient;
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
  });
  after(() => server.close());

  it("logs fit params, optimizer settings, per-epoch metrics and the model summary", async () => {
    const m = new Mlflow({ trackingUri: server.url, flushOnExit: false });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: "relu" })] });
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError", metrics: ["mse"] });
    const xs = tf.tensor2d([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
    const ys = tf.tensor2d([0, 1, 1, 0], [4, 1]);
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 2,
      validationData: [xs, ys],
      verbose: 0,
      callbacks: mlflowCallback({ mlflow: m, model, runName: "tfjs" }),
    });
    assert.equal(m.activeRun(), undefined, "the run the callback started is ended");
    const found = await client.searchRuns(["0"], { filter: "attributes.run_name = 'tfjs'" });
    const run = found.items[0];
    assert.ok(run);
    assert.equal(run.info.status, "FINISHED");
    const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
    assert.equal(params.epochs, "3");
    assert.equal(params.batch_size, "2");
    assert.equal(params.opt_name, "Adam");
    assert.equal(params.opt_learning_rate, "0.01");
    assert.equal(params.loss, "meanSquaredError");
    for (const key of ["loss", "mse", "val_loss", "val_mse"]) {
      const history = await client.getMetricHistory(run.info.run_id, key);
      assert.deepEqual(
        history.map((p) => p.step),
        [0, 1, 2],
        key,
      );
    }
    const summary = new TextDecoder().decode(await client.readArtifact(run.info.run_id, "model_summary.txt"));
    assert.match(summary, /Total params: 17/);
    xs.dispose();
    ys.dispose();
  });
});
