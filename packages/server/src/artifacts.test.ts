import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest, startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
let s: TestServer;
let runId: string;
let root: string;

before(async () => {
  s = await startTestServer();
  const run = (await s.call("POST", `${API}/runs/create`, { experiment_id: "0" })).json.run;
  runId = run.info.run_id;
  root = `0/${runId}/artifacts`;
});
after(async () => {
  await s.close();
});

async function put(path: string, body: string | Buffer): Promise<Response> {
  return fetch(`${s.url}${PROXY}/${path}`, {
    method: "PUT",
    body,
    headers: { "Content-Type": "application/octet-stream" },
  });
}

describe("artifact proxy", () => {
  it("uploads, downloads, lists and deletes", async () => {
    assert.equal((await put(`${root}/model/MLmodel`, "flavors: {}\n")).status, 200);
    assert.equal((await put(`${root}/model/data/weights.bin`, Buffer.from([0, 1, 2, 255]))).status, 200);
    assert.equal((await put(`${root}/metrics.json`, "{}")).status, 200);
    assert.ok(existsSync(join(s.dir, "mlartifacts", root, "model", "MLmodel")));

    const get = await fetch(`${s.url}${PROXY}/${root}/model/data/weights.bin`);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), Buffer.from([0, 1, 2, 255]));
    assert.match(get.headers.get("content-disposition") ?? "", /attachment; filename="weights.bin"/);
    assert.equal(get.headers.get("x-content-type-options"), "nosniff");
    const mlmodel = await fetch(`${s.url}${PROXY}/${root}/model/MLmodel`);
    assert.match(mlmodel.headers.get("content-type") ?? "", /^text\/plain/);

    const list = await s.call("GET", PROXY, { path: `${root}/model` });
    assert.deepEqual(list.json.files, [
      { path: "MLmodel", is_dir: false, file_size: 12 },
      { path: "data", is_dir: true },
    ]);
    assert.deepEqual((await s.call("GET", PROXY, { path: "nope" })).json, {});

    const tracking = await s.call("GET", `${API}/artifacts/list`, { run_id: runId, path: "model" });
    assert.equal(tracking.json.root_uri, `mlflow-artifacts:/${root}`);
    assert.deepEqual(
      tracking.json.files.map((f: { path: string }) => f.path),
      ["model/MLmodel", "model/data"],
    );
    const top = await s.call("GET", `${API}/artifacts/list`, { run_uuid: runId });
    assert.deepEqual(
      top.json.files.map((f: { path: string }) => f.path),
      ["metrics.json", "model"],
    );

    const viaGetArtifact = await fetch(`${s.url}/get-artifact?path=metrics.json&run_uuid=${runId}`);
    assert.equal(viaGetArtifact.status, 200);
    assert.equal(await viaGetArtifact.text(), "{}");

    assert.equal((await fetch(`${s.url}${PROXY}/${root}/model`, { method: "DELETE" })).status, 200);
    assert.deepEqual(
      (await s.call("GET", `${API}/artifacts/list`, { run_id: runId })).json.files.map((f: { path: string }) => f.path),
      ["metrics.json"],
    );
    const missing = await fetch(`${s.url}${PROXY}/${root}/model/MLmodel`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error_code: string }).error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  it("refuses paths that escape the root", async () => {
    for (const p of [
      "../secret",
      "a/../../secret",
      "..%2Fsecret",
      "%2e%2e/secret",
      "%252e%252e/secret",
      "a/%2e%2e/%2e%2e/x",
      "a%23b",
      "%2Fetc%2Fpasswd",
    ]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const r = await rawRequest(s.url, method, `${PROXY}/${p}`, method === "PUT" ? "x" : undefined);
        assert.equal(r.status, 400, `${method} ${p}`);
        assert.deepEqual(JSON.parse(r.text), { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid path" });
      }
    }
    const list = await s.call("GET", PROXY, { path: "../x" });
    assert.equal(list.status, 400);
    const runList = await s.call("GET", `${API}/artifacts/list`, { run_id: runId, path: "../../x" });
    assert.equal(runList.status, 400);
    assert.equal(runList.json.message, "Invalid path");
    const getArtifact = await fetch(`${s.url}/get-artifact?path=..%2F..%2Fmlflow.db&run_uuid=${runId}`);
    assert.equal(getArtifact.status, 400);
    assert.ok(!existsSync(join(s.dir, "secret")));
  });

  it("stores names with percent signs as sent (decoded once, like MLflow) and refuses malformed escapes", async () => {
    // MLflow's time-stepped image names contain a literal `%`, e.g. `img%step%17.png`
    assert.equal((await put(`${root}/images/img%25step%2517.png`, "png")).status, 200);
    const list = await s.call("GET", PROXY, { path: `${root}/images` });
    assert.deepEqual(
      list.json.files.map((f: { path: string }) => f.path),
      ["img%step%17.png"],
    );
    const back = await fetch(`${s.url}${PROXY}/${root}/images/img%25step%2517.png`);
    assert.equal(await back.text(), "png");
    const malformed = await rawRequest(s.url, "GET", `${PROXY}/${root}/bad%zz`);
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.text).message, "Invalid path");
  });

  it("answers single byte ranges with 206 and unsatisfiable ones with 416", async () => {
    assert.equal((await put(`${root}/range.txt`, "0123456789")).status, 200);
    const url = `${s.url}${PROXY}/${root}/range.txt`;
    const mid = await fetch(url, { headers: { Range: "bytes=2-5" } });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get("content-range"), "bytes 2-5/10");
    assert.equal(await mid.text(), "2345");
    const open = await fetch(url, { headers: { Range: "bytes=7-" } });
    assert.equal(await open.text(), "789");
    const suffix = await fetch(url, { headers: { Range: "bytes=-3" } });
    assert.equal(await suffix.text(), "789");
    const clamped = await fetch(url, { headers: { Range: "bytes=8-100" } });
    assert.equal(clamped.headers.get("content-range"), "bytes 8-9/10");
    const beyond = await fetch(url, { headers: { Range: "bytes=10-" } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), "bytes */10");
    const multi = await fetch(url, { headers: { Range: "bytes=0-1,4-5" } });
    assert.equal(multi.status, 200);
    assert.equal(await multi.text(), "0123456789");
    const viaGetArtifact = await fetch(`${s.url}/get-artifact?path=range.txt&run_id=${runId}`, {
      headers: { Range: "bytes=0-0" },
    });
    assert.equal(viaGetArtifact.status, 206);
    assert.equal(await viaGetArtifact.text(), "0");
  });

  it("supports multipart upload through the server", async () => {
    const parts = [Buffer.alloc(1024 * 1024, 1), Buffer.alloc(1024 * 1024, 2), Buffer.from("tail")];
    const created = await s.call("POST", `/api/2.0/mlflow-artifacts/mpu/create/${root}/big`, {
      path: "/local/dir/file.bin",
      num_parts: parts.length,
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.credentials.length, 3);
    const etags: { part_number: number; etag: string }[] = [];
    for (const cred of created.json.credentials) {
      const r = await fetch(cred.url, { method: "PUT", body: parts[cred.part_number - 1] });
      assert.equal(r.status, 200);
      etags.push({ part_number: cred.part_number, etag: r.headers.get("etag") as string });
    }
    const done = await s.call("POST", `/api/2.0/mlflow-artifacts/mpu/complete/${root}/big`, {
      path: "/local/dir/file.bin",
      upload_id: created.json.upload_id,
      parts: etags,
    });
    assert.equal(done.status, 200, done.text);
    const back = Buffer.from(await (await fetch(`${s.url}${PROXY}/${root}/big/file.bin`)).arrayBuffer());
    const expected = Buffer.concat(parts);
    assert.equal(createHash("sha256").update(back).digest("hex"), createHash("sha256").update(expected).digest("hex"));

    const c2 = await s.call("POST", `/api/2.0/mlflow-artifacts/mpu/create/${root}`, { path: "x.bin", num_parts: 1 });
    const aborted = await s.call("POST", `/api/2.0/mlflow-artifacts/mpu/abort/${root}`, {
      path: "x.bin",
      upload_id: c2.json.upload_id,
    });
    assert.equal(aborted.status, 200);
    const again = await s.call("POST", `/api/2.0/mlflow-artifacts/mpu/abort/${root}`, {
      path: "x.bin",
      upload_id: c2.json.upload_id,
    });
    assert.equal(again.status, 404);
  });

  it("accepts the UI's small upload and refuses oversized ones", async () => {
    const ok = await fetch(`${s.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=notes.txt`, {
      method: "POST",
      body: "hello",
    });
    assert.equal(ok.status, 200);
    const back = await fetch(`${s.url}/get-artifact?path=notes.txt&run_id=${runId}`);
    assert.equal(await back.text(), "hello");
    const big = await fetch(`${s.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=big.bin`, {
      method: "POST",
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    assert.equal(big.status, 400);
    assert.equal(((await big.json()) as { message: string }).message, "Artifact size is too large. Max size is 10MB.");
    const noPath = await fetch(`${s.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}`, {
      method: "POST",
      body: "x",
    });
    assert.equal(((await noPath.json()) as { message: string }).message, "Request must specify path.");
  });
});
