// The SDK's browser build in a real browser: Vite bundles a page that imports
// "@mlflow-ts/client" (the package's "browser" export), Chromium loads it from one origin and it
// logs to an mlflow-ts server on another, through the server's CORS.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { chromium } from "playwright-core";
import { build } from "vite";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = join(
      dir,
      (req.url ?? "/").split("?")[0] === "/" ? "index.html" : ((req.url ?? "").split("?")[0] as string),
    );
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe("SDK in Chromium (Vite build, CORS)", () => {
  let mlflow: TestServer;
  let page: { url: string; server: Server };
  const out = mkdtempSync(join(tmpdir(), "mlflow-browser-"));
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    mlflow = await startTestServer();
    await build({
      root: fileURLToPath(new URL("../browser-page", import.meta.url)),
      logLevel: "silent",
      build: { outDir: out, emptyOutDir: true, target: "es2022" },
    });
    page = await serveStatic(out);
  });
  after(async () => {
    page?.server.close();
    await mlflow?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("bundles without Node built-ins or zod in the page's code", () => {
    const assets = readdirSync(join(out, "assets")).filter((f) => f.endsWith(".js"));
    const html = readFileSync(join(out, "index.html"), "utf8");
    const entry = assets.find((f) => html.includes(f));
    assert.ok(entry, `entry chunk among ${assets.join(", ")}`);
    const code = readFileSync(join(out, "assets", entry), "utf8");
    assert.doesNotMatch(code, /from\s*["']node:|require\(["']node:/);
    assert.doesNotMatch(code, /ZodError|zod/i);
    assert.ok(code.length < 120_000, `entry chunk is ${code.length} bytes`);
  });

  it("logs a run with metrics, a param and an artifact from a page on another origin", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${page.url}/?tracking=${encodeURIComponent(mlflow.url)}`);
      await tab.waitForFunction("/^(done|error):/.test(document.title)", undefined, { timeout: 20_000 });
      const title = await tab.title();
      assert.match(title, /^done:/, title);
      const runId = title.slice("done:".length);
      const client = new MlflowClient(mlflow.url);
      const run = await client.getRun(runId);
      assert.equal(run.info.status, "FINISHED");
      assert.equal(run.info.run_name, "from-chromium");
      assert.equal(run.data.params?.find((p) => p.key === "agent")?.value, "chromium");
      const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(tags["mlflow.source.name"], `${page.url}/`);
      const history = await client.getMetricHistory(runId, "clicks");
      assert.deepEqual(
        history.map((p) => p.value),
        Array.from({ length: 50 }, (_, i) => i * 2),
      );
      assert.equal(new TextDecoder().decode(await client.readArtifact(runId, "notes.txt")), "hello from the browser");
    } finally {
      await browser.close();
    }
  });
});
