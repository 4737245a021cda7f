import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { Mlflow, MlflowClient } from "./index.js";
import { nodePlatform } from "./platform.js";
import { NodeSystemMetricsSampler } from "./system-sampler.js";

describe("system metrics", () => {
  let server: TestServer;
  let client: MlflowClient;
  const dir = mkdtempSync(join(tmpdir(), "mlflow-smi-"));
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("samples CPU, memory, disk, network and (with nvidia-smi) GPUs under MLflow's names", async () => {
    const smi = join(dir, "nvidia-smi");
    writeFileSync(smi, "#!/bin/sh\necho '0, 37, 2048, 8192, 70.5, 250.0'\necho '1, 5, 100, 8192, 20, 250'\n");
    chmodSync(smi, 0o755);
    const figures = await new NodeSystemMetricsSampler({ nvidiaSmi: smi }).sample();
    for (const name of [
      "cpu_utilization_percentage",
      "system_memory_usage_megabytes",
      "system_memory_usage_percentage",
      "disk_usage_percentage",
      "disk_usage_megabytes",
      "disk_available_megabytes",
      "network_receive_megabytes",
      "network_transmit_megabytes",
    ]) {
      assert.equal(typeof figures[name], "number", name);
    }
    assert.equal(figures.gpu_0_utilization_percentage, 37);
    assert.equal(figures.gpu_0_memory_usage_megabytes, 2048);
    assert.equal(figures.gpu_0_memory_usage_percentage, 25);
    assert.equal(figures.gpu_0_power_usage_watts, 70.5);
    assert.equal(figures.gpu_1_utilization_percentage, 5);
    const none = await new NodeSystemMetricsSampler({ nvidiaSmi: join(dir, "missing") }).sample();
    assert.equal(
      Object.keys(none).some((k) => k.startsWith("gpu_")),
      false,
    );
  });

  it("is opt-in; with logSystemMetrics it logs system/... points on the interval into the run", async () => {
    const m = new Mlflow({
      trackingUri: server.url,
      flushOnExit: false,
      systemMetrics: { samplingIntervalMs: 40, samplesBeforeLogging: 2, nodeId: "node0" },
    });
    const plain = await m.startRun();
    await new Promise((r) => setTimeout(r, 150));
    await m.endRun();
    assert.deepEqual((await client.getRun(plain.info.run_id)).data.metrics ?? [], []);

    const run = await m.startRun({ logSystemMetrics: true });
    await new Promise((r) => setTimeout(r, 400));
    await m.endRun();
    const got = await client.getRun(run.info.run_id);
    const names = (got.data.metrics ?? []).map((x) => x.key);
    assert.ok(names.includes("system/node0/cpu_utilization_percentage"), names.join(","));
    assert.ok(names.includes("system/node0/system_memory_usage_megabytes"));
    const history = await client.getMetricHistory(run.info.run_id, "system/node0/system_memory_usage_percentage");
    assert.ok(history.length >= 2, `${history.length} points`);
    assert.deepEqual(
      history.map((p) => p.step),
      history.map((_, i) => i),
    );
    assert.equal(typeof nodePlatform.systemMetricsSampler, "function");
  });
});
