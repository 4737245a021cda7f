import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { S3ArtifactRepository } from "@mlflow-ts/artifacts";
import { MOTO_CREDENTIALS, type MotoServer, startMotoServer } from "@mlflow-ts/artifacts/test-support";
import { runCli, startCliServer } from "./test-support/spawn-cli.js";

const BUCKET = "mlflow-ts-cli";

describe("mlflow-ts server --artifacts-destination s3://... (MLflow's S3 environment variables)", () => {
  let moto: MotoServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cli-s3-"));
    moto = await startMotoServer();
    await moto.createBucket(BUCKET);
  });
  after(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    ...process.env,
    MLFLOW_S3_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"Metadata": {"origin": "cli-test"}}',
  });

  it("stores proxied artifacts in the bucket and serves them back", async () => {
    const s = await startCliServer(
      [
        "--backend-store-uri",
        `sqlite:///${join(dir, "mlflow.db")}`,
        "--artifacts-destination",
        `s3://${BUCKET}/proxied`,
      ],
      dir,
      env(),
    );
    try {
      const run = (await (
        await fetch(`${s.url}/api/2.0/mlflow/runs/create`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ experiment_id: "0" }),
        })
      ).json()) as { run: { info: { run_id: string } } };
      const path = `0/${run.run.info.run_id}/artifacts/model/MLmodel`;
      const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
        method: "PUT",
        body: "flavors: {}\n",
      });
      assert.equal(put.status, 200, await put.text());
      const direct = new S3ArtifactRepository(`s3://${BUCKET}/proxied`, moto.options);
      assert.deepEqual(await direct.list(`0/${run.run.info.run_id}/artifacts/model`), [
        { path, is_dir: false, file_size: 12 },
      ]);
      const get = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
        headers: { Range: "bytes=0-6" },
      });
      assert.equal(get.status, 206);
      assert.equal(await get.text(), "flavors");
    } finally {
      await s.stop();
    }
  });

  it("refuses malformed S3 settings with one line and exit code 2", async () => {
    const r = await runCli(["server", "--port", "0", "--artifacts-destination", "gs://bucket/x"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /only local directories and s3:\/\/bucket\/prefix/);
  });
});
