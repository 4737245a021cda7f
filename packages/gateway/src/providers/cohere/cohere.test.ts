import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replyNdjson, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if (req.json.message === "rate" || req.json.prompt === "rate")
      return replyJson(res, 429, { message: "You are using a Trial key" });
    if (req.json.message === "down") return replyJson(res, 503, { message: "service unavailable" });
    if (req.url === "/v1/chat") {
      if (req.json.stream)
        return replyNdjson(res, [
          { is_finished: false, event_type: "stream-start", generation_id: "g1" },
          { is_finished: false, event_type: "text-generation", text: "Hola" },
          { is_finished: false, event_type: "text-generation", text: "!" },
          {
            is_finished: true,
            event_type: "stream-end",
            finish_reason: "COMPLETE",
            response: { meta: { billed_units: { input_tokens: 3, output_tokens: 2 } } },
          },
        ]);
      return replyJson(res, 200, {
        response_id: "r1",
        text: `cohere: ${req.json.message}`,
        generation_id: "g1",
        finish_reason: "COMPLETE",
        meta: { billed_units: { input_tokens: 7, output_tokens: 3 } },
      });
    }
    if (req.url === "/v1/generate") {
      if (req.json.stream)
        return replyNdjson(res, [
          { text: "ab", is_finished: false },
          { text: "cd", is_finished: false },
          { is_finished: true, finish_reason: "MAX_TOKENS", response: { id: "x", generations: [] } },
        ]);
      return replyJson(res, 200, {
        id: "gen1",
        generations: [{ id: "a", text: "one", finish_reason: "COMPLETE" }],
        meta: { billed_units: { input_tokens: 2, output_tokens: 1 } },
      });
    }
    if (req.url === "/v1/embed")
      return replyJson(res, 200, {
        id: "e",
        embeddings: req.json.texts.map((_: string, i: number) => [i, 0.5]),
        texts: req.json.texts,
        meta: { billed_units: { input_tokens: 5 } },
      });
    return replyJson(res, 404, { message: "not found" });
  });
  const model = (name: string) =>
    `{ provider: cohere, name: ${name}, config: { cohere_api_key: co-test-key-123456, cohere_api_base: "${up.url}/v1" } }`;
  gw = await startTestGateway(`endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: ${model("command-r")} }
  - { name: completions, endpoint_type: llm/v1/completions, model: ${model("command")} }
  - { name: embeddings, endpoint_type: llm/v1/embeddings, model: ${model("embed-english-v3.0")} }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("cohere provider", () => {
  it("translates chat: last user message, history, preamble", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "q1" },
        { role: "assistant", content: "a1" },
        { role: "user", content: "q2" },
      ],
      max_tokens: 5,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "cohere: q2");
    assert.equal(r.json.choices[0].finish_reason, "stop");
    assert.deepEqual(r.json.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.headers.authorization, "Bearer co-test-key-123456");
    assert.equal(sent.json.message, "q2");
    assert.equal(sent.json.preamble, "sys");
    assert.deepEqual(sent.json.chat_history, [
      { role: "USER", message: "q1" },
      { role: "CHATBOT", message: "a1" },
    ]);
    assert.equal(sent.json.model, "command-r");
  });

  it("translates completions to /generate (temperature scaled to Cohere's 0-5) and embeddings to /embed", async () => {
    const c = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "p", temperature: 1, n: 1 });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.choices[0].text, "one");
    assert.equal(up.requests.at(-1)!.json.temperature, 2.5);
    assert.equal(up.requests.at(-1)!.json.num_generations, 1);
    const e = await gw.call("POST", "/endpoints/embeddings/invocations", { input: ["x", "y"] });
    assert.equal(e.status, 200, e.text);
    assert.deepEqual(e.json.data[1].embedding, [1, 0.5]);
    assert.equal(e.json.usage.prompt_tokens, 5);
  });

  it("streams chat and completions from newline-delimited JSON", async () => {
    const chat = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(chat.status, 200);
    assert.equal(chat.events.map((e) => e.choices[0].delta.content ?? "").join(""), "Hola!");
    assert.equal(chat.events.at(-1).choices[0].finish_reason, "stop");
    const comp = await gw.stream("/endpoints/completions/invocations", { prompt: "s" });
    assert.equal(comp.events.map((e) => e.choices[0].text).join(""), "abcd");
    assert.equal(comp.events.at(-1).choices[0].finish_reason, "length");
  });

  it("maps errors: 429 stays 429, 503 is 502", async () => {
    const rate = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "rate" }],
    });
    assert.equal(rate.status, 429);
    assert.match(rate.json.message, /Trial key/);
    const down = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "down" }],
    });
    assert.equal(down.status, 502);
    assert.match(down.json.message, /Cohere returned HTTP 503: service unavailable/);
  });
});
