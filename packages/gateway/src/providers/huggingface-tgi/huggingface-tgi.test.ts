import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if (req.url === "/generate") {
      if (req.json.inputs === "overload")
        return replyJson(res, 503, { error: "Model is overloaded", error_type: "overloaded" });
      return replyJson(res, 200, {
        generated_text: `tgi: ${req.json.inputs}`,
        details: { finish_reason: "eos_token", generated_tokens: 3, prefill: [{ id: 1 }, { id: 2 }] },
      });
    }
    if (req.url === "/generate_stream")
      return replySse(res, [
        { data: { token: { id: 1, text: "foo", logprob: -1, special: false }, generated_text: null, details: null } },
        { data: { token: { id: 2, text: "bar", logprob: -1, special: false }, generated_text: null, details: null } },
        {
          data: {
            token: { id: 3, text: "</s>", logprob: -1, special: true },
            generated_text: "foobar",
            details: { finish_reason: "length", generated_tokens: 3 },
          },
        },
      ]);
    if (req.url === "/v1/chat/completions") {
      if (req.json.stream)
        return replySse(res, [
          {
            data: {
              id: "",
              object: "chat.completion.chunk",
              created: 1,
              model: "tgi",
              choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }],
            },
          },
          { data: "[DONE]" },
        ]);
      return replyJson(res, 200, {
        id: "",
        object: "chat.completion",
        created: 1,
        model: "tgi",
        choices: [
          { index: 0, message: { role: "assistant", content: "chat via messages api" }, finish_reason: "stop" },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      });
    }
    return replyJson(res, 404, { error: "no route" });
  });
  const model = `{ provider: huggingface-text-generation-inference, config: { hf_server_url: "${up.url}" } }`;
  gw = await startTestGateway(`endpoints:
  - { name: completions, endpoint_type: llm/v1/completions, model: ${model} }
  - { name: chat, endpoint_type: llm/v1/chat, model: ${model} }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("huggingface-text-generation-inference provider", () => {
  it("translates completions to /generate (temperature 0 means greedy)", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", {
      prompt: "hi",
      max_tokens: 20,
      stop: ["\n"],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].text, "tgi: hi");
    assert.equal(r.json.choices[0].finish_reason, "stop");
    assert.deepEqual(r.json.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    const p = up.requests.at(-1)!.json.parameters;
    assert.equal(p.max_new_tokens, 20);
    assert.equal(p.do_sample, false);
    assert.equal(p.temperature, undefined);
    assert.deepEqual(p.stop, ["\n"]);
  });

  it("streams /generate_stream tokens, dropping special tokens", async () => {
    const r = await gw.stream("/endpoints/completions/invocations", { prompt: "s", temperature: 0.7 });
    assert.equal(r.status, 200);
    assert.equal(r.events.map((e) => e.choices[0].text).join(""), "foobar");
    assert.equal(r.events.at(-1).choices[0].finish_reason, "length");
    assert.equal(up.requests.at(-1)!.json.parameters.temperature, 0.7);
  });

  it("serves chat through TGI's Messages API, streaming too", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "chat via messages api");
    const s = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(s.events[0].choices[0].delta.content, "ok");
  });

  it("maps an overloaded server to 502", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "overload" });
    assert.equal(r.status, 502);
    assert.match(r.json.message, /Model is overloaded/);
  });
});
