import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, startFakeUpstream } from "@mlflow-ts/gateway/test-support";
import { runCli } from "./test-support/spawn-cli.js";
import { post, startCliGateway } from "./test-support/spawn-gateway.js";

// Redis runs on the development and CI machines (127.0.0.1:6379).
const REDIS = process.env.MLFLOW_TS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let dir: string;
let up: FakeUpstream;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gw-limits-"));
  up = await startFakeUpstream((req, res) =>
    replyJson(res, 200, {
      id: "x",
      object: "chat.completion",
      created: 1,
      model: req.json.model,
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }),
  );
});

after(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A config whose endpoint name is new on every run, so counters in a shared Redis never collide. */
function config(calls: number): { path: string; name: string } {
  const name = `limited-${randomBytes(6).toString("hex")}`;
  const path = join(dir, `${name}.yaml`);
  // A day-long window: the test cannot straddle a window boundary in practice.
  writeFileSync(
    path,
    `endpoints:
  - name: ${name}
    endpoint_type: llm/v1/chat
    limit: { renewal_period: day, calls: ${calls} }
    model: { provider: openai, name: m, config: { openai_api_key: sk-limits-test-1234, openai_api_base: "${up.url}/v1" } }
`,
  );
  return { path, name };
}

const call = (url: string, name: string) =>
  post(`${url}/endpoints/${name}/invocations`, { messages: [{ role: "user", content: "x" }] });

describe("gateway limits across processes", () => {
  it("memory storage counts per process: two replicas each allow the limit", async () => {
    const { path, name } = config(3);
    const [a, b] = await Promise.all([
      startCliGateway(["--config-path", path]),
      startCliGateway(["--config-path", path]),
    ]);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(a.url, name)).status, (await call(b.url, name)).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("Redis storage shares one limit between two gateway processes", async () => {
    const { path, name } = config(5);
    const args = ["--config-path", path, "--limits-storage", REDIS];
    const [a, b] = await Promise.all([startCliGateway(args), startCliGateway(args)]);
    try {
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await call(i % 2 === 0 ? a.url : b.url, name));
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200, 200, 200, 200, 429, 429, 429],
      );
      const limited = results[7]!;
      assert.equal(limited.json.message, "Rate limit exceeded: 5 per 1 day");
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(retryAfter >= 1 && retryAfter <= 86_400, String(retryAfter));
      // Concurrent calls through both replicas never let more than the limit through.
      const { path: p2, name: n2 } = config(10);
      writeFileSync(path, `${(await import("node:fs")).readFileSync(p2, "utf8")}`);
      await Promise.all([a.waitFor(/Reloaded/), b.waitFor(/Reloaded/)]);
      const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => call(i % 2 ? a.url : b.url, n2)));
      assert.equal(burst.filter((r) => r.status === 200).length, 10);
      assert.equal(burst.filter((r) => r.status === 429).length, 20);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("refuses to start when the Redis limits storage is unreachable or not a URL", async () => {
    const { path } = config(1);
    const down = await runCli([
      "gateway",
      "start",
      "--config-path",
      path,
      "--port",
      "0",
      "--limits-storage",
      "redis://127.0.0.1:1",
    ]);
    assert.equal(down.code, 1, down.stderr);
    assert.match(down.stderr, /Cannot reach the limits storage redis:\/\/127\.0\.0\.1:1/);
    const bad = await runCli([
      "gateway",
      "start",
      "--config-path",
      path,
      "--port",
      "0",
      "--limits-storage",
      "memcached://x",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limits-storage/);
  });
});
