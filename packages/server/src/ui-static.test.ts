import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { STATIC_MAX_AGE } from "./handlers/ui-static.js";
import { rawRequest, startTestServer, type TestServer } from "./test-support/test-server.js";

describe("web UI static routes", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-ui-"));
  const previous = process.env.MLFLOW_TS_UI_DIR;
  let server: TestServer;
  let prefixed: TestServer;
  before(async () => {
    mkdirSync(join(dir, "static-files"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>ui</title>");
    writeFileSync(join(dir, "static-files", "app-1.js"), "console.log(1)");
    writeFileSync(join(dir, "secret.txt"), "outside static-files is fine, but not outside dist");
    process.env.MLFLOW_TS_UI_DIR = join(dir, "");
    server = await startTestServer();
    prefixed = await startTestServer({ staticPrefix: "/mlflow" });
  });
  after(async () => {
    if (previous === undefined) delete process.env.MLFLOW_TS_UI_DIR;
    else process.env.MLFLOW_TS_UI_DIR = previous;
    await server?.close();
    await prefixed?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html at / without caching", async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.equal(await res.text(), "<!doctype html><title>ui</title>");
  });

  it("serves assets under /static-files/ with MLflow's 28-day cache", async () => {
    const res = await fetch(`${server.url}/static-files/app-1.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.equal(res.headers.get("cache-control"), `public, max-age=${STATIC_MAX_AGE}`);
    assert.equal(STATIC_MAX_AGE, 2419200);
    assert.equal(await res.text(), "console.log(1)");
    assert.equal((await fetch(`${server.url}/static-files/missing.js`)).status, 404);
  });

  it("gzips text assets for clients that accept it, and keeps them cached until the file changes", async () => {
    const big = `console.log(${JSON.stringify("x".repeat(5000))});`;
    writeFileSync(join(dir, "static-files", "big-1.js"), big);
    const res = await fetch(`${server.url}/static-files/big-1.js`, { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(res.headers.get("content-encoding"), "gzip");
    assert.ok(Number(res.headers.get("content-length")) < big.length / 10);
    assert.equal(await res.text(), big); // fetch decodes
    writeFileSync(join(dir, "static-files", "big-1.js"), `${big}\n// v2`);
    assert.equal(
      await (await fetch(`${server.url}/static-files/big-1.js`, { headers: { "Accept-Encoding": "gzip" } })).text(),
      `${big}\n// v2`,
    );
    const raw = await rawRequest(server.url, "GET", "/static-files/big-1.js"); // no Accept-Encoding
    assert.equal(raw.text, `${big}\n// v2`);
  });

  it("answers HEAD like GET, with the same headers and no body", async () => {
    writeFileSync(join(dir, "static-files", "head-1.js"), `console.log(${JSON.stringify("y".repeat(5000))});`);
    for (const [path, encoding] of [
      ["/", ""],
      ["/static-files/app-1.js", ""],
      ["/static-files/head-1.js", ""],
      ["/static-files/head-1.js", "gzip"],
      ["/static-files/missing.js", ""],
    ] as const) {
      const get = await fetch(`${server.url}${path}`, { headers: { "Accept-Encoding": encoding || "identity" } });
      const getBody = Buffer.from(await get.arrayBuffer());
      const head = await rawHead(server.url, path, encoding);
      assert.equal(head.status, get.status, path);
      assert.equal(head.body.length, 0, `${path}: HEAD sent a body`);
      for (const h of ["content-type", "cache-control", "content-encoding"])
        assert.equal(head.headers[h], get.headers.get(h) ?? undefined, `${path} ${h}`);
      if (!encoding) assert.equal(Number(head.headers["content-length"]), getBody.length, path);
      else assert.ok(Number(head.headers["content-length"]) < 1000, "gzipped length");
    }
    const bare = await rawHead(prefixed.url, "/mlflow", "");
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.location, "/mlflow/");
  });

  it("refuses paths that leave the bundle directory", async () => {
    for (const path of [
      "/static-files/../../../etc/passwd",
      "/static-files/%2e%2e/%2e%2e/etc/passwd",
      "/static-files/..%2f..%2fetc%2fpasswd",
      "/static-files/",
    ]) {
      const res = await rawRequest(server.url, "GET", path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /root:/);
    }
  });

  it("serves the UI under --static-prefix and redirects the bare prefix", async () => {
    assert.equal((await fetch(`${prefixed.url}/mlflow/`)).status, 200);
    assert.equal((await fetch(`${prefixed.url}/mlflow/static-files/app-1.js`)).status, 200);
    const bare = await fetch(`${prefixed.url}/mlflow`, { redirect: "manual" });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get("location"), "/mlflow/");
    assert.equal((await fetch(`${prefixed.url}/static-files/app-1.js`)).status, 404);
  });

  it("answers with a plain-text notice when the bundle is missing", async () => {
    process.env.MLFLOW_TS_UI_DIR = join(dir, "does-not-exist");
    try {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      assert.match(await res.text(), /web UI is not built/);
    } finally {
      process.env.MLFLOW_TS_UI_DIR = dir;
    }
  });
});

/** A HEAD request over a raw socket, so a body sent by mistake would show up (fetch would drop it). */
function rawHead(
  base: string,
  path: string,
  encoding: string,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = all.subarray(0, split).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: all.subarray(split + 4) });
    });
    socket.write(
      `HEAD ${path} HTTP/1.1\r\nHost: ${u.host}\r\n${encoding ? `Accept-Encoding: ${encoding}\r\n` : ""}Connection: close\r\n\r\n`,
    );
  });
}
