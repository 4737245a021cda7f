import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if (req.url === "/studio/v1/j2-ultra/complete") {
      if (req.json.prompt === "rate") return replyJson(res, 429, { detail: "Too many requests" });
      return replyJson(res, 200, {
        id: 1234,
        prompt: { text: req.json.prompt, tokens: [{}, {}] },
        completions: [
          { data: { text: " there", tokens: [{}, {}, {}] }, finishReason: { reason: "length", length: 3 } },
        ],
      });
    }
    if (req.url === "/studio/v1/chat/completions") {
      if (req.json.stream)
        return replySse(res, [
          {
            data: {
              id: "j",
              choices: [{ index: 0, delta: { role: "assistant", content: "jam" }, finish_reason: null }],
            },
          },
          {
            data: {
              id: "j",
              choices: [{ index: 0, delta: { content: "ba" }, finish_reason: "stop" }],
              usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
            },
          },
          { data: "[DONE]" },
        ]);
      return replyJson(res, 200, {
        id: "j",
        choices: [{ index: 0, message: { role: "assistant", content: "jamba chat" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
      });
    }
    return replyJson(res, 404, { detail: "not found" });
  });
  const cfg = `{ ai21labs_api_key: ai21-test-key-xyz, ai21labs_api_base: "${up.url}/studio/v1" }`;
  gw = await startTestGateway(`endpoints:
  - { name: completions, endpoint_type: llm/v1/completions, model: { provider: ai21labs, name: j2-ultra, config: ${cfg} } }
  - { name: chat, endpoint_type: llm/v1/chat, model: { provider: ai21labs, name: jamba-1.5-mini, config: ${cfg} } }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("ai21labs provider", () => {
  it("translates completions to Jurassic-2's /complete", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "hi", max_tokens: 3, stop: ["."] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].text, " there");
    assert.equal(r.json.choices[0].finish_reason, "length");
    assert.deepEqual(r.json.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.headers.authorization, "Bearer ai21-test-key-xyz");
    assert.deepEqual(sent.json, { prompt: "hi", numResults: 1, temperature: 0, maxTokens: 3, stopSequences: ["."] });
  });

  it("streams completions as one chunk and chat through Jamba's OpenAI-compatible API", async () => {
    const s = await gw.stream("/endpoints/completions/invocations", { prompt: "hi" });
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0].choices[0].text, " there");
    const c = await gw.call("POST", "/endpoints/chat/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(c.json.choices[0].message.content, "jamba chat");
    assert.equal(up.requests.at(-1)!.json.model, "jamba-1.5-mini");
    const cs = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(cs.events.map((e) => e.choices[0].delta.content).join(""), "jamba");
  });

  it("maps 429 and refuses unsupported completion models at config time", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "rate" });
    assert.equal(r.status, 429);
    assert.match(r.json.message, /Too many requests/);
    await assert.rejects(
      () =>
        import("../../test-support/test-gateway.js").then((m) =>
          m.startTestGateway(
            "endpoints:\n  - { name: c, endpoint_type: llm/v1/completions, model: { provider: ai21labs, name: j1-large, config: { ai21labs_api_key: k } } }\n",
          ),
        ),
      /endpoint 'c': model.name: model.name must be one of j2-ultra, j2-mid, j2-light/,
    );
  });
});
