import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

const KEY = "sk-ant-test-key-abcdefghijklmnop";
let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const last = req.json.messages.at(-1);
    const text = typeof last.content === "string" ? last.content : "";
    if (text === "overloaded")
      return replyJson(res, 529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    if (text === "rate")
      return replyJson(res, 429, {
        type: "error",
        error: { type: "rate_limit_error", message: "Number of requests has exceeded your rate limit" },
      });
    if (req.json.stream)
      return replySse(res, [
        {
          event: "message_start",
          data: {
            type: "message_start",
            message: { id: "msg_1", model: "claude-3-5-haiku", usage: { input_tokens: 11, output_tokens: 1 } },
          },
        },
        {
          event: "content_block_start",
          data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        },
        { event: "ping", data: { type: "ping" } },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Bon" } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "jour" } },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
        {
          event: "message_delta",
          data: { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
        },
        { event: "message_stop", data: { type: "message_stop" } },
      ]);
    if (text === "tool")
      return replyJson(res, 200, {
        id: "msg_2",
        type: "message",
        role: "assistant",
        model: "claude-3-5-haiku",
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
        stop_reason: "tool_use",
        usage: { input_tokens: 20, output_tokens: 9 },
      });
    return replyJson(res, 200, {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-3-5-haiku",
      content: [{ type: "text", text: `Claude says: ${text}` }],
      stop_reason: "max_tokens",
      usage: { input_tokens: 12, output_tokens: 4 },
    });
  });
  const model = `{ provider: anthropic, name: claude-3-5-haiku, config: { anthropic_api_key: $ANTHROPIC_API_KEY, anthropic_api_base: "${up.url}/v1" } }`;
  gw = await startTestGateway(
    `endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: ${model} }
  - { name: completions, endpoint_type: llm/v1/completions, model: ${model} }
`,
    { env: { ANTHROPIC_API_KEY: KEY } },
  );
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("anthropic provider", () => {
  it("translates chat to the Messages API: system prompt, halved temperature, stop sequences, default max_tokens", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      temperature: 1.0,
      stop: ["END"],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "Claude says: hi");
    assert.equal(r.json.choices[0].finish_reason, "length");
    assert.deepEqual(r.json.usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/v1/messages");
    assert.equal(sent.headers["x-api-key"], KEY);
    assert.equal(sent.headers["anthropic-version"], "2023-06-01");
    assert.equal(sent.json.system, "Be brief.");
    assert.deepEqual(sent.json.messages, [{ role: "user", content: "hi" }]);
    assert.equal(sent.json.temperature, 0.5);
    assert.deepEqual(sent.json.stop_sequences, ["END"]);
    assert.equal(sent.json.max_tokens, 8192);
    assert.equal(sent.json.model, "claude-3-5-haiku");
  });

  it("maps tools and tool_use blocks to OpenAI-style tool calls", async () => {
    const r = await gw.call("POST", "/v1/chat/completions", {
      model: "chat",
      messages: [{ role: "user", content: "tool" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "w",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(r.json.choices[0].message.tool_calls, [
      { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ]);
    assert.equal(up.requests.at(-1)!.json.tools[0].input_schema.type, "object");
  });

  it("serves completions as a one-message chat", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "p" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].text, "Claude says: p");
  });

  it("streams Messages events as unified chunks with usage", async () => {
    const r = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(r.status, 200);
    assert.equal(r.events.map((e) => e.choices[0]?.delta.content ?? "").join(""), "Bonjour");
    const last = r.events.at(-1);
    assert.equal(last.choices[0].finish_reason, "stop");
    assert.deepEqual(last.usage, { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
    const c = await gw.stream("/endpoints/completions/invocations", { prompt: "s" });
    assert.equal(c.events.map((e) => e.choices[0]?.text ?? "").join(""), "Bonjour");
  });

  it("maps errors: 429 stays 429, overloaded (529) is 502, n > 1 is refused", async () => {
    const rate = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "rate" }],
    });
    assert.equal(rate.status, 429);
    assert.match(rate.json.message, /exceeded your rate limit/);
    const over = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "overloaded" }],
    });
    assert.equal(over.status, 502);
    const n = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "x" }],
      n: 2,
    });
    assert.equal(n.status, 400);
    assert.match(n.json.message, /n > 1/);
  });
});
