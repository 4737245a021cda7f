import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, startFakeUpstream } from "@mlflow-ts/gateway/test-support";
import { runCli } from "./test-support/spawn-cli.js";
import { post, startCliGateway } from "./test-support/spawn-gateway.js";

let dir: string;
let one: FakeUpstream;
let two: FakeUpstream;
let broken: FakeUpstream;

/** An OpenAI-style upstream that answers with its own name, after `delay` ms when asked. */
function answering(name: string) {
  return startFakeUpstream(async (req, res) => {
    const content = req.json?.messages?.[0]?.content ?? "";
    if (content.startsWith("wait:")) await new Promise((r) => setTimeout(r, Number(content.slice(5))));
    replyJson(res, 200, {
      id: "x",
      object: "chat.completion",
      created: 1,
      model: req.json.model,
      choices: [{ index: 0, message: { role: "assistant", content: name }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
}

const endpoint = (name: string, upstream: FakeUpstream, extra = "") =>
  `  - { name: ${name}, endpoint_type: llm/v1/chat, model: { provider: openai, name: m, config: { openai_api_key: $TEST_KEY, openai_api_base: "${upstream.url}/v1" } }${extra} }\n`;

const ask = (url: string, name: string, content = "hi") =>
  post(`${url}/endpoints/${name}/invocations`, { messages: [{ role: "user", content }] });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gw-cli-"));
  one = await answering("one");
  two = await answering("two");
  broken = await startFakeUpstream((_req, res) => replyJson(res, 500, { error: { message: "down" } }));
});

after(async () => {
  await Promise.all([one.close(), two.close(), broken.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("mlflow-ts gateway start", () => {
  it("reports config and usage mistakes in one line with exit code 2, a taken port with 1", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `endpoints:\n  - { name: chat, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_type: azure, openai_api_key: k } } }\n`,
    );
    const r = await runCli(["gateway", "start", "--config-path", bad, "--port", "0"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr.trim(),
      /^mlflow-ts gateway: error: Invalid gateway config .*bad\.yaml: endpoint 'chat': model\.config\.openai_api_base: is required/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
    const none = await runCli(["gateway", "start"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--config-path is required/);
    const good = join(dir, "good.yaml");
    writeFileSync(good, `endpoints:\n${endpoint("chat", one).replace("$TEST_KEY", "sk-literal-1234")}`);
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, "127.0.0.1", res));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await runCli(["gateway", "start", "--config-path", good, "--port", String(port)], {
        timeoutMs: 20_000,
      });
      assert.equal(taken.code, 1, taken.stderr);
      assert.match(taken.stderr, /already in use/);
    } finally {
      blocker.close();
    }
  });

  it("reloads a changed config without dropping in-flight requests, and keeps the old one when the new is bad", async () => {
    const cfg = join(dir, "reload.yaml");
    writeFileSync(cfg, `endpoints:\n${endpoint("chat", one)}`);
    const gw = await startCliGateway(["--config-path", cfg], { TEST_KEY: "sk-reload-test-1234" });
    try {
      assert.equal((await ask(gw.url, "chat")).json.choices[0].message.content, "one");
      // A slow request is in flight while the config changes under it.
      const inflight = ask(gw.url, "chat", "wait:700");
      await new Promise((r) => setTimeout(r, 100));
      writeFileSync(cfg, `endpoints:\n${endpoint("chat", two)}${endpoint("extra", two)}`);
      await gw.waitFor(/Reloaded gateway config .*: 2 endpoint\(s\)/);
      assert.equal((await ask(gw.url, "chat")).json.choices[0].message.content, "two");
      assert.equal((await ask(gw.url, "extra")).status, 200);
      const done = await inflight;
      assert.equal(done.status, 200, done.text);
      assert.equal(done.json.choices[0].message.content, "one", "the in-flight request finished on the old config");

      // A bad config is reported and ignored.
      writeFileSync(
        cfg,
        `endpoints:\n  - { name: chat, endpoint_type: llm/v1/chat, model: { provider: nosuch, config: {} } }\n`,
      );
      await gw.waitFor(
        /endpoint 'chat': model\.provider: unknown provider 'nosuch'.*previous configuration stays in effect/,
      );
      assert.equal((await ask(gw.url, "chat")).json.choices[0].message.content, "two");
      assert.equal((await ask(gw.url, "extra")).status, 200);

      // Editors replace files by rename; that reloads too.
      const tmp = join(dir, "reload.yaml.tmp");
      writeFileSync(tmp, `endpoints:\n${endpoint("chat", one)}`);
      renameSync(tmp, cfg);
      await gw.waitFor(/Reloaded gateway config .*: 1 endpoint\(s\)/);
      assert.equal((await ask(gw.url, "chat")).json.choices[0].message.content, "one");
      assert.equal((await ask(gw.url, "extra")).status, 404);

      unlinkSync(cfg);
      await gw.waitFor(/was removed; the previous configuration stays in effect/);
      assert.equal((await ask(gw.url, "chat")).status, 200);
    } finally {
      await gw.stop();
    }
  });

  it("falls back to another endpoint and splits traffic by weight, in a real process", async () => {
    const cfg = join(dir, "routing.yaml");
    writeFileSync(
      cfg,
      `endpoints:
${endpoint("primary", broken, ", fallbacks: [secondary]")}${endpoint("secondary", two)}  - name: ab
    endpoint_type: llm/v1/chat
    models:
      - { provider: openai, name: a, weight: 1, config: { openai_api_key: $TEST_KEY, openai_api_base: "${one.url}/v1" } }
      - { provider: openai, name: b, weight: 1, config: { openai_api_key: $TEST_KEY, openai_api_base: "${two.url}/v1" } }
`,
    );
    const gw = await startCliGateway(["--config-path", cfg], { TEST_KEY: "sk-routing-test-1234" });
    try {
      const r = await ask(gw.url, "primary");
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, "two");
      const counts = { one: 0, two: 0 } as Record<string, number>;
      for (let i = 0; i < 200; i++) {
        const x = await ask(gw.url, "ab");
        counts[x.json.choices[0].message.content as string]! += 1;
      }
      assert.equal((counts.one ?? 0) + (counts.two ?? 0), 200);
      assert.ok((counts.one ?? 0) > 60 && (counts.two ?? 0) > 60, JSON.stringify(counts));
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /mlflow_gateway_fallbacks_total\{endpoint="primary"\} 1/);
    } finally {
      await gw.stop();
    }
  });

  it("runs --workers 2 on one port, merges /metrics and reloads every worker", async () => {
    const cfg = join(dir, "workers.yaml");
    writeFileSync(cfg, `endpoints:\n${endpoint("chat", one)}`);
    const gw = await startCliGateway(["--config-path", cfg, "--workers", "2"], { TEST_KEY: "sk-workers-test-1234" });
    try {
      assert.match(gw.output(), /2 workers/);
      const answers = await Promise.all(Array.from({ length: 40 }, () => ask(gw.url, "chat")));
      assert.ok(answers.every((a) => a.status === 200));
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /mlflow_gateway_requests_total\{endpoint="chat",status="200"\} 40/);
      writeFileSync(cfg, `endpoints:\n${endpoint("chat", two)}`);
      await gw.waitFor(/Reloaded gateway config/);
      await new Promise((r) => setTimeout(r, 200));
      const after = await Promise.all(Array.from({ length: 20 }, () => ask(gw.url, "chat")));
      assert.ok(
        after.every((a) => a.json.choices[0].message.content === "two"),
        "every worker serves the new config",
      );
    } finally {
      await gw.stop();
    }
  });
});
