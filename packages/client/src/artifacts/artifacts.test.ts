import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { Mlflow, MlflowClient } from "../node/index.js";
import { startRecordingProxy } from "../test-support/recording-proxy.js";
import { toYaml } from "./yaml.js";

describe("artifacts", () => {
  let server: TestServer;
  let client: MlflowClient;
  let runId: string;
  let experimentId: string;
  const local = mkdtempSync(join(tmpdir(), "mlflow-art-"));
  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    experimentId = await client.createExperiment("art");
    runId = (await client.createRun(experimentId)).info.run_id;
  });
  after(async () => {
    await server.close();
    rmSync(local, { recursive: true, force: true });
  });
  const text = async (path: string, id = runId) => new TextDecoder().decode(await client.readArtifact(id, path));

  it("logText, logDict (JSON and YAML by extension), list and read through the proxy", async () => {
    await client.logText(runId, "héllo\n", "notes/readme.txt");
    await client.logDict(runId, { b: [1, { c: "yes" }], a: 1.5, n: null }, "config.json");
    await client.logDict(runId, { b: [1, { c: "yes" }], a: 1.5, s: "plain text", e: {} }, "config.yaml");
    assert.equal(await text("notes/readme.txt"), "héllo\n");
    assert.equal(await text("config.json"), JSON.stringify({ b: [1, { c: "yes" }], a: 1.5, n: null }, null, 2));
    assert.equal(await text("config.yaml"), 'a: 1.5\nb:\n- 1\n- c: "yes"\ne: {}\ns: plain text\n');
    const root = await client.listArtifacts(runId);
    assert.deepEqual(
      root.map((f) => [f.path, f.is_dir]),
      [
        ["config.json", false],
        ["config.yaml", false],
        ["notes", true],
      ],
    );
    assert.deepEqual(
      (await client.listArtifacts(runId, "notes")).map((f) => f.path),
      ["notes/readme.txt"],
    );
    // The tracking server's own listing agrees.
    assert.deepEqual(
      (await client.listRunArtifacts(runId, "notes")).files.map((f) => f.path),
      ["notes/readme.txt"],
    );
    await assert.rejects(client.logText(runId, "x", "../escape.txt"), /Invalid artifact path/);
  });

  it("YAML matches PyYAML safe_dump for tricky scalars", () => {
    assert.equal(
      toYaml({ t: true, s: "true", num: "1.0", k: "a: b", nan: Number.NaN, list: [], nested: { x: [[1, 2]] } }),
      'k: "a: b"\nlist: []\nnan: .nan\nnested:\n  x:\n  - - 1\n    - 2\nnum: "1.0"\ns: "true"\nt: true\n',
    );
  });

  it("logTable writes MLflow's split JSON, appends, registers mlflow.loggedArtifacts; loadTable reads it back", async () => {
    await client.logTable(runId, [{ q: "What is MLflow?", score: 0.5 }], "eval/results.json");
    await client.logTable(runId, { q: ["Why?"], score: [1], extra: ["e"] }, "eval/results.json");
    assert.deepEqual(JSON.parse(await text("eval/results.json")), {
      columns: ["q", "score", "extra"],
      data: [
        ["What is MLflow?", 0.5, null],
        ["Why?", 1, "e"],
      ],
    });
    const tag = (await client.getRun(runId)).data.tags?.find((t) => t.key === "mlflow.loggedArtifacts");
    assert.deepEqual(JSON.parse(tag?.value ?? ""), [{ path: "eval/results.json", type: "table" }]);
    const other = (await client.createRun(experimentId)).info.run_id;
    await client.logTable(other, { columns: ["q", "score"], data: [["Other", 2]] }, "eval/results.json");
    const loaded = await client.loadTable(experimentId, "eval/results.json", { extraColumns: ["run_id"] });
    assert.deepEqual(loaded.columns, ["q", "score", "extra", "run_id"]);
    assert.deepEqual(
      loaded.data.map((r) => [r[0], r[3]]),
      [
        ["What is MLflow?", runId],
        ["Why?", runId],
        ["Other", other],
      ],
    );
    await assert.rejects(client.logTable(runId, [], "bad,name.json"), /must not contain/);
  });

  it("logImage encodes pixels as PNG (floats scaled) and writes time-stepped images as MLflow's UI expects", async () => {
    const pixels = { width: 2, height: 2, data: [0, 0.5, 1, 0.25], channels: 1 as const };
    await client.logImage(runId, pixels, "images/static.png");
    const png = Buffer.from(await client.readArtifact(runId, "images/static.png"));
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    assert.equal(png.readUInt32BE(16), 2);
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    assert.deepEqual([...raw], [0, 0, 128, 0, 255, 64]);
    const proxy = await startRecordingProxy(server.url);
    try {
      const via = new MlflowClient(proxy.url);
      await via.logImage(
        runId,
        { width: 3, height: 1, data: new Uint8Array(9).fill(200) },
        { key: "gen.sample", step: 7 },
      );
      // The names as sent (decoded once, as a server must store them). mlflow-ts's server decodes
      // artifact paths repeatedly before storing them, which turns "%17..." into a control
      // character: a server bug noted in packages/client/README.md.
      const sent = proxy.requests
        .filter((r) => r.method === "PUT")
        .map((r) => decodeURIComponent(r.path.slice(r.path.indexOf("/artifacts/images/") + "/artifacts/".length)));
      assert.equal(sent.length, 2);
      assert.match(sent[0] as string, /^images\/gen\.sample%step%7%timestamp%\d+%[g-z][0-9a-f]{31}\.png$/);
      assert.match(sent[1] as string, /^images\/gen\.sample%step%7%timestamp%\d+%[g-z][0-9a-f]{31}%compressed\.webp$/);
    } finally {
      await proxy.close();
    }
    assert.equal((await client.getRun(runId)).data.tags?.find((t) => t.key === "mlflow.loggedImages")?.value, "True");
    await assert.rejects(client.logImage(runId, { width: 1, height: 1, data: [300] }, "x.png"), /0, 255/);
    await assert.rejects(client.logImage(runId, pixels, { key: "a/b" }), /Invalid image key/);
  });

  it("logArtifact and logArtifacts upload local files; downloadArtifacts streams them back", async () => {
    const src = join(local, "src");
    mkdirSync(join(src, "sub"), { recursive: true });
    writeFileSync(join(src, "a.txt"), "A");
    writeFileSync(join(src, "sub", "b.bin"), Buffer.from([1, 2, 3]));
    const m = new Mlflow({ client, flushOnExit: false });
    await m.startRun({ experimentId });
    await m.logArtifact(join(src, "a.txt"));
    await m.logArtifacts(src, "model");
    await m.logArtifact(new File(["from a browser"], "blob.txt"), "files");
    const id = m.activeRun()?.info.run_id as string;
    await m.endRun();
    assert.equal(await text("a.txt", id), "A");
    assert.equal(await text("files/blob.txt", id), "from a browser");
    const dst = join(local, "dst");
    const dir = await client.downloadArtifacts(id, "model", dst);
    assert.equal(dir, join(dst, "model"));
    assert.equal(readFileSync(join(dir, "a.txt"), "utf8"), "A");
    assert.deepEqual([...readFileSync(join(dir, "sub", "b.bin"))], [1, 2, 3]);
    const one = await client.downloadArtifacts(id, "model/sub/b.bin", join(local, "one"));
    assert.deepEqual([...readFileSync(one)], [1, 2, 3]);
    const all = await m.downloadArtifacts({ artifactUri: `runs:/${id}/model` });
    assert.ok(existsSync(join(all, "sub", "b.bin")));
  });

  it("resolves models:/ URIs (lazily loading the resolver) for downloads", async () => {
    await client.logText(runId, "weights", "model/weights.txt");
    await client.registerModel(`runs:/${runId}/model`, "art-model");
    await client.setRegisteredModelAlias("art-model", "prod", 1);
    for (const uri of ["models:/art-model/1", "models:/art-model@prod", "models:/art-model/latest"]) {
      const dir = await client.downloadArtifactUri(uri, join(local, uri.replace(/\W/g, "_")));
      assert.equal(readFileSync(join(dir, "weights.txt"), "utf8"), "weights", uri);
    }
  });

  it("uploads large files in parts through the proxy's multipart API, and falls back to one PUT on 501", async () => {
    const proxy = await startRecordingProxy(server.url);
    try {
      const big = join(local, "big.bin");
      const data = Buffer.alloc(5 * 1024 * 1024 + 123);
      for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
      writeFileSync(big, data);
      const c = new MlflowClient({
        trackingUri: proxy.url,
        multipart: { thresholdBytes: 1024 * 1024, partBytes: 1024 * 1024 },
      });
      await c.logArtifact(runId, big, "weights");
      const paths = proxy.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
      assert.ok(paths.some((p) => p.startsWith("POST /api/2.0/mlflow-artifacts/mpu/create/")));
      const complete = proxy.requests.find((r) => r.path.includes("/mpu/complete/"));
      assert.deepEqual(
        complete?.body.parts.map((p: { part_number: number; etag: string }) => p.part_number),
        [1, 2, 3, 4, 5, 6],
      );
      assert.ok(complete?.body.parts.every((p: { etag: string }) => p.etag.length > 0));
      assert.ok(!paths.some((p) => p.startsWith("PUT /api/2.0/mlflow-artifacts/artifacts/")));
      const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
      assert.equal(sha(await c.readArtifact(runId, "weights/big.bin")), sha(data));

      proxy.requests.length = 0;
      // A server whose storage has no multipart support answers 501; the client sends one PUT.
      proxy.intercept = (r) =>
        r.path.includes("/mpu/create/")
          ? {
              status: 501,
              body: JSON.stringify({ error_code: "NOT_IMPLEMENTED", message: "Multipart upload is not supported" }),
            }
          : undefined;
      await c.logArtifact(runId, big, "fallback");
      assert.ok(proxy.requests.some((r) => r.method === "PUT" && r.path.endsWith("/fallback/big.bin")));
      assert.equal(sha(await c.readArtifact(runId, "fallback/big.bin")), sha(data));
    } finally {
      await proxy.close();
    }
  });

  it("writes runs whose artifact root is a file: URI straight to local disk", async () => {
    const root = join(local, "file-root");
    const exp = await client.createExperiment("file-exp", { artifactLocation: pathToFileURL(root).href });
    const id = (await client.createRun(exp)).info.run_id;
    await client.logText(id, "on disk", "out/x.txt");
    assert.equal(readFileSync(join(root, id, "artifacts", "out", "x.txt"), "utf8"), "on disk");
    assert.deepEqual(
      (await client.listArtifacts(id, "out")).map((f) => [f.path, f.file_size]),
      [["out/x.txt", 7]],
    );
    assert.equal(await text("out/x.txt", id), "on disk");
  });
});
