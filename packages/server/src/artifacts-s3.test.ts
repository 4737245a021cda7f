import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Readable } from "node:stream";
import { S3ArtifactRepository } from "@mlflow-ts/artifacts";
import { type MotoServer, startMotoServer } from "@mlflow-ts/artifacts/test-support";
import { ConfigError, resolveServerConfig, s3OptionsFromEnv } from "./config.js";
import { rawRequest, startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const MPU = "/api/2.0/mlflow-artifacts/mpu";
const BUCKET = "mlflow-ts-server";
const MiB = 1024 * 1024;

let moto: MotoServer;
/** The whole bucket, to look at what the server stored (and to write as a Python client would). */
let bucket: S3ArtifactRepository;

before(async () => {
  moto = await startMotoServer();
  await moto.createBucket(BUCKET);
  bucket = new S3ArtifactRepository(`s3://${BUCKET}`, moto.options);
});
after(async () => {
  await moto?.stop();
});

async function objectText(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await bucket.read(key)).stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Every key under `prefix` (a directory path, "" for all). */
async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await bucket.list(dir)) {
      if (entry.is_dir) await walk(entry.path);
      else out.push(entry.path);
    }
  };
  await walk(prefix);
  return out.sort();
}

describe("server with --artifacts-destination s3://... (proxied artifacts)", () => {
  let s: TestServer;
  let runId: string;
  let root: string;
  before(async () => {
    s = await startTestServer({ artifactsDestination: `s3://${BUCKET}/mlartifacts`, s3: moto.options });
    const run = (await s.call("POST", `${API}/runs/create`, { experiment_id: "0" })).json.run;
    runId = run.info.run_id;
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${runId}/artifacts`);
    root = `0/${runId}/artifacts`;
  });
  after(async () => {
    await s?.close();
  });

  const put = (path: string, body: string | Buffer) =>
    fetch(`${s.url}${PROXY}/${path}`, { method: "PUT", body, headers: { "Content-Type": "application/octet-stream" } });

  it("uploads, lists, downloads (with ranges) and deletes through the proxy, stored in the bucket", async () => {
    assert.equal((await put(`${root}/model/MLmodel`, "flavors: {}\n")).status, 200);
    assert.equal((await put(`${root}/model/data/weights.bin`, Buffer.from([0, 1, 2, 255]))).status, 200);
    assert.equal((await put(`${root}/metrics.json`, '{"acc": 0.9}')).status, 200);
    assert.equal(await objectText(`mlartifacts/${root}/model/MLmodel`), "flavors: {}\n");

    const list = await s.call("GET", PROXY, { path: `${root}/model` });
    assert.deepEqual(list.json.files, [
      { path: "MLmodel", is_dir: false, file_size: 12 },
      { path: "data", is_dir: true },
    ]);
    assert.deepEqual((await s.call("GET", PROXY, { path: "nope" })).json, {});
    const tracking = await s.call("GET", `${API}/artifacts/list`, { run_id: runId });
    assert.equal(tracking.json.root_uri, `mlflow-artifacts:/${root}`);
    assert.deepEqual(
      tracking.json.files.map((f: { path: string }) => f.path),
      ["metrics.json", "model"],
    );

    const get = await fetch(`${s.url}${PROXY}/${root}/model/data/weights.bin`);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), Buffer.from([0, 1, 2, 255]));
    assert.match(get.headers.get("content-disposition") ?? "", /attachment; filename="weights.bin"/);

    const ranged = await fetch(`${s.url}${PROXY}/${root}/metrics.json`, { headers: { Range: "bytes=1-4" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), "bytes 1-4/12");
    assert.equal(await ranged.text(), '"acc');
    const unsatisfiable = await fetch(`${s.url}${PROXY}/${root}/metrics.json`, { headers: { Range: "bytes=50-" } });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get("content-range"), "bytes */12");

    const viaGetArtifact = await fetch(`${s.url}/get-artifact?path=metrics.json&run_uuid=${runId}`, {
      headers: { Range: "bytes=-4" },
    });
    assert.equal(viaGetArtifact.status, 206);
    assert.equal(await viaGetArtifact.text(), "0.9}");

    assert.equal((await fetch(`${s.url}${PROXY}/${root}/model`, { method: "DELETE" })).status, 200);
    assert.deepEqual(await keys(`mlartifacts/${root}`), [`mlartifacts/${root}/metrics.json`]);
    const missing = await fetch(`${s.url}${PROXY}/${root}/model/MLmodel`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error_code: string }).error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  it("streams an upload larger than one part (multipart behind a single PUT)", async () => {
    const content = randomBytes(12 * MiB);
    assert.equal((await put(`${root}/big/blob.bin`, content)).status, 200);
    const back = Buffer.from(await (await fetch(`${s.url}${PROXY}/${root}/big/blob.bin`)).arrayBuffer());
    assert.equal(sha256(back), sha256(content));
  });

  it("serves the UI's upload and model-version downloads from S3", async () => {
    const upload = await fetch(`${s.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=notes.txt`, {
      method: "POST",
      body: "hello",
    });
    assert.equal(upload.status, 200);
    assert.equal(await objectText(`mlartifacts/${root}/notes.txt`), "hello");
    assert.equal((await put(`${root}/clf/MLmodel`, "flavors: {}\n")).status, 200);
    assert.equal((await s.call("POST", `${API}/registered-models/create`, { name: "s3-model" })).status, 200);
    const version = await s.call("POST", `${API}/model-versions/create`, {
      name: "s3-model",
      source: `mlflow-artifacts:/${root}/clf`,
      run_id: runId,
    });
    assert.equal(version.status, 200, version.text);
    const mv = await fetch(`${s.url}/model-versions/get-artifact?name=s3-model&version=1&path=MLmodel`);
    assert.equal(mv.status, 200);
    assert.equal(await mv.text(), "flavors: {}\n");
  });

  it("multipart upload: mpu/create hands out presigned S3 URLs, parts go straight to S3", async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(777)];
    const created = await s.call("POST", `${MPU}/create/${root}/mpu`, { path: "/local/dir/weights.bin", num_parts: 2 });
    assert.equal(created.status, 200, created.text);
    const { upload_id, credentials } = created.json as {
      upload_id: string;
      credentials: { url: string; part_number: number; headers: Record<string, string> }[];
    };
    assert.equal(credentials.length, 2);
    assert.ok(
      credentials.every((c) => c.url.startsWith(`${moto.endpoint}/${BUCKET}/mlartifacts/${root}/mpu/weights.bin?`)),
    );
    const etags = [];
    for (const c of credentials) {
      const res = await fetch(c.url, { method: "PUT", body: parts[c.part_number - 1], headers: c.headers });
      assert.equal(res.status, 200);
      etags.push({ part_number: c.part_number, etag: res.headers.get("etag"), url: c.url });
    }
    const done = await s.call("POST", `${MPU}/complete/${root}/mpu`, { path: "weights.bin", upload_id, parts: etags });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(done.json, {});
    const back = Buffer.from(await (await fetch(`${s.url}${PROXY}/${root}/mpu/weights.bin`)).arrayBuffer());
    assert.equal(sha256(back), sha256(Buffer.concat(parts)));

    const other = await s.call("POST", `${MPU}/create/${root}/mpu`, { path: "x.bin", num_parts: 1 });
    const aborted = await s.call("POST", `${MPU}/abort/${root}/mpu`, {
      path: "x.bin",
      upload_id: other.json.upload_id,
    });
    assert.equal(aborted.status, 200);
    const again = await s.call("POST", `${MPU}/abort/${root}/mpu`, { path: "x.bin", upload_id: other.json.upload_id });
    assert.equal(again.status, 404);
    assert.equal(again.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  it("refuses hostile paths before touching the bucket", async () => {
    const before = await keys("");
    for (const path of [`${root}/%2e%2e/%2e%2e/escape.txt`, `${root}/../../escape.txt`, "%252e%252e/x.txt"]) {
      const res = await rawRequest(s.url, "PUT", `${PROXY}/${path}`, "x");
      assert.equal(res.status, 400, path);
      assert.equal((JSON.parse(res.text) as { message: string }).message, "Invalid path");
    }
    assert.deepEqual(await keys(""), before);
  });
});

describe("server with --default-artifact-root s3://... --no-serve-artifacts", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      defaultArtifactRoot: `s3://${BUCKET}/direct`,
      serveArtifacts: false,
      s3: moto.options,
    });
  });
  after(async () => {
    await s?.close();
  });

  it("gives new experiments s3:// locations and reads runs' artifacts from S3 itself", async () => {
    const exp = await s.call("POST", `${API}/experiments/create`, { name: "direct" });
    const experimentId = exp.json.experiment_id as string;
    const got = await s.call("GET", `${API}/experiments/get`, { experiment_id: experimentId });
    assert.equal(got.json.experiment.artifact_location, `s3://${BUCKET}/direct/${experimentId}`);
    const run = (await s.call("POST", `${API}/runs/create`, { experiment_id: experimentId })).json.run;
    const runId = run.info.run_id as string;
    assert.equal(run.info.artifact_uri, `s3://${BUCKET}/direct/${experimentId}/${runId}/artifacts`);
    // What a Python client with its own credentials does: write straight to the bucket.
    const key = `direct/${experimentId}/${runId}/artifacts/model/MLmodel`;
    await bucket.write(key, Readable.from([Buffer.from("flavors: {}\n")]));

    const list = await s.call("GET", `${API}/artifacts/list`, { run_id: runId });
    assert.equal(list.json.root_uri, run.info.artifact_uri);
    assert.deepEqual(list.json.files, [{ path: "model", is_dir: true }]);
    const inner = await s.call("GET", `${API}/artifacts/list`, { run_id: runId, path: "model" });
    assert.deepEqual(inner.json.files, [{ path: "model/MLmodel", is_dir: false, file_size: 12 }]);
    const file = await fetch(`${s.url}/get-artifact?path=model/MLmodel&run_id=${runId}`, {
      headers: { Range: "bytes=0-7" },
    });
    assert.equal(file.status, 206);
    assert.equal(await file.text(), "flavors:");

    const proxy = await fetch(`${s.url}${PROXY}/x.txt`, { method: "PUT", body: "x" });
    assert.equal(proxy.status, 503);
  });

  it("permanent delete of a deleted run removes its s3:// artifacts and nothing beside them", async () => {
    const exp = (await s.call("POST", `${API}/experiments/create`, { name: "purge-direct" })).json
      .experiment_id as string;
    const doomed = (await s.call("POST", `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    const kept = (await s.call("POST", `${API}/runs/create`, { experiment_id: exp })).json.run.info.run_id as string;
    for (const id of [doomed, kept]) {
      await bucket.write(`direct/${exp}/${id}/artifacts/a/b.txt`, Readable.from([Buffer.from(id)]));
      await bucket.write(`direct/${exp}/${id}/artifacts/c.txt`, Readable.from([Buffer.from(id)]));
    }
    assert.equal((await s.call("POST", `${API}/runs/delete`, { run_id: doomed })).status, 200);
    const r = await s.call("POST", "/api/2.0/mlflow-ts/runs/delete-permanently", { run_ids: [doomed] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { deleted_run_ids: [doomed], artifacts_left: [] });
    assert.deepEqual(await keys(`direct/${exp}`), [
      `direct/${exp}/${kept}/artifacts/a/b.txt`,
      `direct/${exp}/${kept}/artifacts/c.txt`,
    ]);
  });
});

describe("S3 configuration from MLflow's environment variables", () => {
  it("maps endpoint, credentials, region, TLS and extra upload args", () => {
    const env = {
      MLFLOW_S3_ENDPOINT_URL: "https://minio.local:9000",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_REGION: "us-west-2",
      MLFLOW_S3_IGNORE_TLS: "true",
      MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "k"}',
    };
    assert.deepEqual(s3OptionsFromEnv(env), {
      endpointUrl: "https://minio.local:9000",
      region: "eu-west-1",
      credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: "token" },
      ignoreTls: true,
      uploadExtraArgs: { ServerSideEncryption: "aws:kms", SSEKMSKeyId: "k" },
    });
    assert.deepEqual(s3OptionsFromEnv({ AWS_REGION: "us-west-2" }), { region: "us-west-2" });
    assert.deepEqual(s3OptionsFromEnv({}), {});
    assert.throws(() => s3OptionsFromEnv({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: "{not json" }), ConfigError);
    assert.throws(() => s3OptionsFromEnv({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"Bucket": "x"}' }), ConfigError);
    assert.throws(() => s3OptionsFromEnv({ MLFLOW_S3_IGNORE_TLS: "maybe" }), ConfigError);
    assert.throws(() => s3OptionsFromEnv({ MLFLOW_S3_ENDPOINT_URL: "minio:9000" }), ConfigError);
  });

  it("accepts s3:// destinations and refuses other remote schemes", () => {
    const c = resolveServerConfig({ artifactsDestination: "s3://bucket/path" }, { AWS_REGION: "eu-central-1" });
    assert.equal(c.artifactsDestination, "s3://bucket/path");
    assert.equal(c.s3.region, "eu-central-1");
    assert.throws(() => resolveServerConfig({ artifactsDestination: "gs://bucket/path" }), ConfigError);
    assert.throws(() => resolveServerConfig({ artifactsDestination: "s3://" }), ConfigError);
  });
});

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}
