import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;

// One fake OpenAI-compatible server stands in for Mistral, Together, vLLM, Ollama, Groq, DeepSeek.
before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const path = req.url.replace(/^\/[a-z]+/, "");
    const who = req.url.split("/")[1];
    if (req.json.messages?.[0]?.content === "rate")
      return replyJson(res, 429, { error: { message: `${who} rate limited` } });
    if (path === "/v1/embeddings")
      return replyJson(res, 200, {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [1, 2] }],
        model: req.json.model,
        usage: { prompt_tokens: 1, total_tokens: 1 },
      });
    if (path === "/v1/completions") {
      if (req.json.stream)
        return replySse(res, [
          {
            data: {
              id: "t",
              object: "text_completion",
              created: 1,
              model: req.json.model,
              choices: [{ index: 0, text: "to", finish_reason: null }],
            },
          },
          {
            data: {
              id: "t",
              object: "text_completion",
              created: 1,
              model: req.json.model,
              choices: [{ index: 0, text: "gether", finish_reason: "stop" }],
            },
          },
          { data: "[DONE]" },
        ]);
      return replyJson(res, 200, {
        id: "t",
        object: "text_completion",
        created: 1,
        model: req.json.model,
        choices: [{ index: 0, text: `${who} completes ${req.json.prompt}`, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      });
    }
    if (path === "/v1/chat/completions")
      return replyJson(res, 200, {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: req.json.model,
        choices: [{ index: 0, message: { role: "assistant", content: `${who} answers` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    return replyJson(res, 404, { error: { message: "unknown path" } });
  });
  const u = up.url;
  gw = await startTestGateway(`endpoints:
  - { name: mistral, endpoint_type: llm/v1/chat, model: { provider: mistral, name: mistral-small, config: { mistral_api_key: mk-123456, mistral_api_base: "${u}/mistral/v1" } } }
  - { name: mistral-completions, endpoint_type: llm/v1/completions, model: { provider: mistral, name: mistral-small, config: { mistral_api_key: mk-123456, mistral_api_base: "${u}/mistral/v1" } } }
  - { name: mistral-embed, endpoint_type: llm/v1/embeddings, model: { provider: mistral, name: mistral-embed, config: { mistral_api_key: mk-123456, mistral_api_base: "${u}/mistral/v1" } } }
  - { name: together, endpoint_type: llm/v1/completions, model: { provider: togetherai, name: llama-3, config: { togetherai_api_key: tk-123456, togetherai_api_base: "${u}/together/v1" } } }
  - { name: vllm, endpoint_type: llm/v1/chat, model: { provider: vllm, name: qwen, config: { vllm_api_base: "${u}/vllm/v1" } } }
  - { name: ollama, endpoint_type: llm/v1/chat, model: { provider: ollama, name: llama3.2, config: { ollama_api_base: "${u}/ollama/v1" } } }
  - { name: groq, endpoint_type: llm/v1/chat, model: { provider: groq, name: llama-3.1-8b, config: { groq_api_key: gk-123456, groq_api_base: "${u}/groq/v1" } } }
  - { name: deepseek, endpoint_type: llm/v1/chat, model: { provider: deepseek, name: deepseek-chat, config: { deepseek_api_key: dk-123456, deepseek_api_base: "${u}/deepseek/v1" } } }
  - { name: generic, endpoint_type: llm/v1/chat, model: { provider: openai_compatible, name: anything, config: { openai_compatible_api_base: "${u}/generic/v1", openai_compatible_api_key: ok-123456 } } }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("OpenAI-compatible providers", () => {
  it("reach each server at its base URL with its key (or none) and the model name", async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ["mistral", "/mistral/v1/chat/completions", "Bearer mk-123456"],
      ["vllm", "/vllm/v1/chat/completions", undefined],
      ["ollama", "/ollama/v1/chat/completions", undefined],
      ["groq", "/groq/v1/chat/completions", "Bearer gk-123456"],
      ["deepseek", "/deepseek/v1/chat/completions", "Bearer dk-123456"],
      ["generic", "/generic/v1/chat/completions", "Bearer ok-123456"],
    ];
    for (const [name, path, auth] of cases) {
      const r = await gw.call("POST", `/endpoints/${name}/invocations`, { messages: [{ role: "user", content: "x" }] });
      assert.equal(r.status, 200, `${name}: ${r.text}`);
      assert.equal(r.json.choices[0].message.content, `${path.split("/")[1]} answers`);
      const sent = up.requests.at(-1)!;
      assert.equal(sent.url, path);
      assert.equal(sent.headers.authorization, auth);
    }
  });

  it("serves Mistral completions through chat and embeddings natively", async () => {
    const c = await gw.call("POST", "/endpoints/mistral-completions/invocations", { prompt: "p" });
    assert.equal(c.json.choices[0].text, "mistral answers");
    const e = await gw.call("POST", "/endpoints/mistral-embed/invocations", { input: "x" });
    assert.deepEqual(e.json.data[0].embedding, [1, 2]);
    assert.equal(up.requests.at(-1)!.json.model, "mistral-embed");
  });

  it("serves Together completions natively, streaming too", async () => {
    const c = await gw.call("POST", "/endpoints/together/invocations", { prompt: "p" });
    assert.equal(c.json.choices[0].text, "together completes p");
    assert.equal(up.requests.at(-1)!.url, "/together/v1/completions");
    const s = await gw.stream("/endpoints/together/invocations", { prompt: "p" });
    assert.equal(s.events.map((e) => e.choices[0].text).join(""), "together");
    assert.equal(s.events[0].object, "text_completion_chunk");
  });

  it("keeps a 429 a 429", async () => {
    const r = await gw.call("POST", "/endpoints/groq/invocations", { messages: [{ role: "user", content: "rate" }] });
    assert.equal(r.status, 429);
    assert.match(r.json.message, /Groq returned HTTP 429: groq rate limited/);
  });
});
