import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

const KEY = "sk-openai-test-key-0123456789abcdef";

const chatCompletion = (content: string) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1700000000,
  model: "gpt-4o-mini-2024",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
});

let up: FakeUpstream;
let gw: TestGateway;
let release: () => void = () => {};
let upstreamClosed: () => void = () => {};

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if (req.url.endsWith("/embeddings"))
      return replyJson(res, 200, {
        object: "list",
        data: (req.json.input as string[]).map((_, i) => ({ object: "embedding", embedding: [0.1, i], index: i })),
        model: "text-embedding-3-small",
        usage: { prompt_tokens: 4, total_tokens: 4 },
      });
    const msg = req.json.messages?.[0]?.content ?? "";
    if (msg === "rate")
      return replyJson(
        res,
        429,
        { error: { message: "Rate limit reached for requests" } },
        { "retry-after": "7", "x-secret-header": "upstream-internal" },
      );
    if (msg === "boom") return replyJson(res, 500, { error: { message: "The server had an error" } });
    if (msg === "badkey")
      return replyJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY.slice(0, 12)}...cdef` } });
    if (msg === "invalid") return replyJson(res, 400, { error: { message: "Invalid 'max_tokens': too large" } });
    if (msg === "slow") {
      await new Promise((r) => setTimeout(r, 1500));
      return replyJson(res, 200, chatCompletion("late"));
    }
    if (req.json.stream) {
      if (msg === "streamfail") return replyJson(res, 503, { error: { message: "overloaded" } });
      if (msg === "slowstream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(
          `data: ${JSON.stringify({ id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "first" }, finish_reason: null }] })}\n\n`,
        );
        res.on("close", () => upstreamClosed());
        await new Promise<void>((r) => {
          release = r;
          setTimeout(r, 5000);
        });
        if (!res.destroyed) res.end();
        return;
      }
      if (msg === "firsterror")
        return replySse(res, [{ data: { error: { message: "model crashed before answering" } } }]);
      return replySse(
        res,
        [
          {
            data: {
              id: "c1",
              object: "chat.completion.chunk",
              created: 1,
              model: "gpt",
              choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
            },
          },
          {
            data: {
              id: "c1",
              object: "chat.completion.chunk",
              created: 1,
              model: "gpt",
              choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
            },
          },
          {
            data: {
              id: "c1",
              object: "chat.completion.chunk",
              created: 1,
              model: "gpt",
              choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }],
            },
          },
          { data: "[DONE]" },
        ],
        { delayMs: 5, crlf: true },
      );
    }
    return replyJson(res, 200, chatCompletion(`echo: ${msg}`));
  });
  gw = await startTestGateway(
    `
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_API_KEY
        openai_api_base: ${up.url}/v1
        openai_organization: org-1
  - name: completions
    endpoint_type: llm/v1/completions
    model: { provider: openai, name: gpt-4o-mini, config: { openai_api_key: $OPENAI_API_KEY, openai_api_base: "${up.url}/v1" } }
  - name: embeddings
    endpoint_type: llm/v1/embeddings
    model: { provider: openai, name: text-embedding-3-small, config: { openai_api_key: $OPENAI_API_KEY, openai_api_base: "${up.url}/v1" } }
  - name: slow
    endpoint_type: llm/v1/chat
    timeout_seconds: 0.3
    model: { provider: openai, name: gpt-4o-mini, config: { openai_api_key: $OPENAI_API_KEY, openai_api_base: "${up.url}/v1" } }
  - name: azure
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o
      config:
        openai_api_type: azure
        openai_api_key: $OPENAI_API_KEY
        openai_api_base: ${up.url}
        openai_deployment_name: my-deploy
        openai_api_version: 2024-02-01
  - name: azuread
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config: { openai_api_type: AzureAD, openai_api_key: $OPENAI_API_KEY, openai_api_base: "${up.url}", openai_deployment_name: d2, openai_api_version: v1 }
  - name: dead
    endpoint_type: llm/v1/chat
    model: { provider: openai, name: x, config: { openai_api_key: $OPENAI_API_KEY, openai_api_base: "http://127.0.0.1:9/v1" } }
`,
    { env: { OPENAI_API_KEY: KEY } },
  );
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("openai provider", () => {
  it("translates chat both ways and sends the key only upstream", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 10,
      top_p: 0.5,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, "chat.completion");
    assert.equal(r.json.choices[0].message.content, "echo: hi");
    assert.deepEqual(r.json.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/v1/chat/completions");
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.equal(sent.headers["openai-organization"], "org-1");
    assert.equal(sent.json.model, "gpt-4o-mini");
    assert.equal(sent.json.temperature, 0, "MLflow's default temperature is sent");
    assert.equal(sent.json.n, 1);
    assert.equal(sent.json.top_p, 0.5, "extra fields pass through");
    assert.equal(sent.json.stream, undefined);
    assert.ok(!r.text.includes(KEY));
  });

  it("serves completions through chat/completions, as MLflow does", async () => {
    const r = await gw.call("POST", "/gateway/completions/invocations", { prompt: "say", stop: "END" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, "text_completion");
    assert.equal(r.json.choices[0].text, "echo: say");
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/v1/chat/completions");
    assert.deepEqual(sent.json.messages, [{ role: "user", content: "say" }]);
    assert.deepEqual(sent.json.stop, ["END"]);
  });

  it("serves embeddings", async () => {
    const r = await gw.call("POST", "/endpoints/embeddings/invocations", { input: ["a", "b"] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, "list");
    assert.deepEqual(
      r.json.data.map((d: { embedding: number[] }) => d.embedding),
      [
        [0.1, 0],
        [0.1, 1],
      ],
    );
    assert.equal(up.requests.at(-1)!.json.model, "text-embedding-3-small");
  });

  it("streams chat as SSE, one event per upstream chunk, without [DONE] on MLflow routes", async () => {
    const r = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/event-stream/);
    assert.equal(r.events.map((e) => e.choices[0].delta.content ?? "").join(""), "Hello");
    assert.equal(r.events.at(-1).choices[0].finish_reason, "stop");
    assert.ok(!r.text.includes("[DONE]"));
    assert.equal(up.requests.at(-1)!.json.stream, true);
    const v1 = await gw.stream("/v1/chat/completions", { model: "chat", messages: [{ role: "user", content: "s" }] });
    assert.ok(v1.text.trim().endsWith("data: [DONE]"));
  });

  it("passes each chunk on as it arrives and stops the upstream call when the client goes away", async () => {
    const closed = new Promise<void>((r) => {
      upstreamClosed = r;
    });
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/endpoints/chat/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "slowstream" }], stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /"content":"first"/, "the first chunk arrives while the upstream is still open");
    ac.abort();
    await Promise.race([
      closed,
      new Promise((_, rej) => setTimeout(() => rej(new Error("upstream call not cancelled")), 3000)),
    ]);
    release();
  });

  it("streams completions served through chat", async () => {
    const r = await gw.stream("/endpoints/completions/invocations", { prompt: "s" });
    assert.equal(r.status, 200);
    assert.equal(r.events[0].object, "text_completion_chunk");
    assert.equal(r.events.map((e) => e.choices[0].text).join(""), "Hello");
  });

  it("maps upstream errors: 429 stays 429, 5xx and auth failures are 502, 400 stays 400, no upstream headers", async () => {
    const rate = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "rate" }],
    });
    assert.equal(rate.status, 429);
    assert.equal(rate.json.error_code, "REQUEST_LIMIT_EXCEEDED");
    assert.match(rate.json.message, /Rate limit reached/);
    assert.equal(rate.headers.get("retry-after"), "7");
    assert.equal(rate.headers.get("x-secret-header"), null);
    const boom = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "boom" }],
    });
    assert.equal(boom.status, 502);
    assert.match(boom.json.message, /OpenAI returned HTTP 500: The server had an error/);
    const bad = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "badkey" }],
    });
    assert.equal(bad.status, 502);
    assert.ok(!bad.text.includes(KEY.slice(0, 12)), bad.text);
    const invalid = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "invalid" }],
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.message, /too large/);
    const streamFail = await gw.stream("/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "streamfail" }],
    });
    assert.equal(streamFail.status, 502);
    const firstError = await gw.stream("/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "firsterror" }],
    });
    assert.equal(firstError.status, 502, "an error before the first chunk is an HTTP error");
    assert.match(firstError.text, /model crashed before answering/);
  });

  it("answers 504 when the upstream is slower than timeout_seconds, 502 when it is unreachable", async () => {
    const t0 = Date.now();
    const slow = await gw.call("POST", "/endpoints/slow/invocations", {
      messages: [{ role: "user", content: "slow" }],
    });
    assert.equal(slow.status, 504);
    assert.equal(slow.json.error_code, "DEADLINE_EXCEEDED");
    assert.ok(Date.now() - t0 < 1400);
    const dead = await gw.call("POST", "/endpoints/dead/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(dead.status, 502);
    assert.match(dead.json.message, /Cannot reach OpenAI/);
  });

  it("speaks Azure OpenAI: deployment path, api-version, api-key header, no model in the body", async () => {
    const r = await gw.call("POST", "/endpoints/azure/invocations", { messages: [{ role: "user", content: "az" }] });
    assert.equal(r.status, 200, r.text);
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/openai/deployments/my-deploy/chat/completions?api-version=2024-02-01");
    assert.equal(sent.headers["api-key"], KEY);
    assert.equal(sent.headers.authorization, undefined);
    assert.equal(sent.json.model, undefined);
    const ad = await gw.call("POST", "/endpoints/azuread/invocations", { messages: [{ role: "user", content: "az" }] });
    assert.equal(ad.status, 200, ad.text);
    assert.equal(up.requests.at(-1)!.headers.authorization, `Bearer ${KEY}`);
  });

  it("validates unified requests before calling the provider", async () => {
    const n = up.requests.length;
    for (const body of [
      {},
      { messages: [] },
      { messages: [{ role: "user", content: "x" }], temperature: 3 },
      { messages: [{ role: "user", content: "x" }], n: 0 },
    ]) {
      const r = await gw.call("POST", "/endpoints/chat/invocations", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE");
    }
    const notJson = await fetch(`${gw.url}/endpoints/chat/invocations`, { method: "POST", body: "{nope" });
    assert.equal(notJson.status, 400);
    assert.equal(up.requests.length, n);
  });
});
