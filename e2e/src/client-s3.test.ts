// The TypeScript SDK (@mlflow-ts/client) against a server whose proxied artifacts live in S3
// (moto_server): uploads, multipart through presigned part URLs, listing and downloads.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { S3ArtifactRepository } from "@mlflow-ts/artifacts";
import { type MotoServer, startMotoServer } from "@mlflow-ts/artifacts/test-support";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";

const BUCKET = "mlflow-ts-e2e";
const MiB = 1024 * 1024;

describe("@mlflow-ts/client with S3 behind the artifact proxy", () => {
  let moto: MotoServer;
  let server: TestServer;
  let client: MlflowClient;
  let bucket: S3ArtifactRepository;
  const local = mkdtempSync(join(tmpdir(), "mlflow-ts-e2e-s3-"));

  before(async () => {
    moto = await startMotoServer();
    await moto.createBucket(BUCKET);
    bucket = new S3ArtifactRepository(`s3://${BUCKET}/proxied`, moto.options);
    server = await startTestServer({ artifactsDestination: `s3://${BUCKET}/proxied`, s3: moto.options });
    client = new MlflowClient({
      trackingUri: server.url,
      multipart: { thresholdBytes: 6 * MiB, partBytes: 5 * MiB, concurrency: 2 },
    });
  });
  after(async () => {
    await server?.close();
    await moto?.stop();
    rmSync(local, { recursive: true, force: true });
  });

  it("logs, lists, reads and downloads artifacts; large files go up in parts straight to S3", async () => {
    const experimentId = await client.createExperiment("s3-e2e");
    const runId = (await client.createRun(experimentId)).info.run_id;
    await client.logText(runId, "hello from the SDK\n", "notes/readme.txt");
    await client.logDict(runId, { lr: 0.01 }, "config.json");

    const big = randomBytes(11 * MiB + 123);
    const bigFile = join(local, "weights.bin");
    writeFileSync(bigFile, big);
    await client.logArtifact(runId, bigFile, "model");

    const dir = join(local, "plots");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.txt"), "a");
    writeFileSync(join(dir, "b.txt"), "bb");
    await client.logArtifacts(runId, dir, "plots");

    assert.deepEqual(
      (await client.listArtifacts(runId)).map((f) => [f.path, f.is_dir]),
      [
        ["config.json", false],
        ["model", true],
        ["notes", true],
        ["plots", true],
      ],
    );
    assert.deepEqual(
      (await client.listArtifacts(runId, "model")).map((f) => [f.path, f.file_size]),
      [["model/weights.bin", big.length]],
    );
    const stored = await bucket.list(`${experimentId}/${runId}/artifacts/model`);
    assert.deepEqual(stored, [
      { path: `${experimentId}/${runId}/artifacts/model/weights.bin`, is_dir: false, file_size: big.length },
    ]);

    assert.equal(
      new TextDecoder().decode(await client.readArtifact(runId, "notes/readme.txt")),
      "hello from the SDK\n",
    );
    const back = Buffer.from(await client.readArtifact(runId, "model/weights.bin"));
    assert.equal(sha256(back), sha256(big));

    const downloaded = await client.downloadArtifacts(runId, "plots", join(local, "out"));
    assert.equal(readFileSync(join(downloaded, "b.txt"), "utf8"), "bb");
  });
});

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}
