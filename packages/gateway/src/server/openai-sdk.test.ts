// The `openai` npm SDK, unchanged, against the gateway's OpenAI-compatible routes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  // The upstream is Anthropic: the application speaks OpenAI and never learns which provider answers.
  up = await startFakeUpstream(async (req, res) => {
    if (req.url.endsWith("/embeddings"))
      return replyJson(res, 200, {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [0.5, 0.25] }],
        model: "e",
        usage: { prompt_tokens: 1, total_tokens: 1 },
      });
    if (req.json.messages?.[0]?.content === "rate")
      return replyJson(res, 429, { type: "error", error: { type: "rate_limit_error", message: "slow down" } });
    if (req.json.stream)
      return replySse(res, [
        {
          event: "message_start",
          data: { type: "message_start", message: { id: "m", model: "claude", usage: { input_tokens: 1 } } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "str" } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "eamed" } },
        },
        {
          event: "message_delta",
          data: { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
        },
        { event: "message_stop", data: { type: "message_stop" } },
      ]);
    return replyJson(res, 200, {
      id: "m",
      type: "message",
      role: "assistant",
      model: "claude",
      content: [{ type: "text", text: `answer to ${req.json.messages.at(-1).content}` }],
      stop_reason: "end_turn",
      usage: { input_tokens: 4, output_tokens: 3 },
    });
  });
  gw = await startTestGateway(`endpoints:
  - { name: assistant, endpoint_type: llm/v1/chat, model: { provider: anthropic, name: claude, config: { anthropic_api_key: sk-ant-sdk-test-9999, anthropic_api_base: "${up.url}/v1" } } }
  - { name: writer, endpoint_type: llm/v1/completions, model: { provider: anthropic, name: claude, config: { anthropic_api_key: sk-ant-sdk-test-9999, anthropic_api_base: "${up.url}/v1" } } }
  - { name: embedder, endpoint_type: llm/v1/embeddings, model: { provider: openai, name: e, config: { openai_api_key: sk-oai-sdk-test-9999, openai_api_base: "${up.url}/v1" } } }
`);
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "not-a-provider-key", maxRetries: 0 });
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("openai npm SDK against the gateway", () => {
  it("chat.completions.create", async () => {
    const r = await client.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "ping" }],
    });
    assert.equal(r.choices[0]?.message.content, "answer to ping");
    assert.equal(r.usage?.total_tokens, 7);
  });

  it("streams chat", async () => {
    const stream = await client.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "s" }],
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, "streamed");
    assert.equal(finish, "stop");
  });

  it("completions.create, streaming too", async () => {
    const r = await client.completions.create({ model: "writer", prompt: "once" });
    assert.equal(r.choices[0]?.text, "answer to once");
    const stream = await client.completions.create({ model: "writer", prompt: "once", stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
    assert.equal(text, "streamed");
  });

  it("embeddings.create and models.list", async () => {
    const e = await client.embeddings.create({ model: "embedder", input: "x", encoding_format: "float" });
    assert.deepEqual(e.data[0]?.embedding, [0.5, 0.25]);
    // Without encoding_format the SDK asks for base64 and decodes it.
    const b = await client.embeddings.create({ model: "embedder", input: "x" });
    assert.deepEqual(Array.from(b.data[0]?.embedding ?? []), [0.5, 0.25]);
    assert.equal(up.requests.at(-1)!.json.encoding_format, undefined);
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    assert.deepEqual(models, ["assistant", "writer", "embedder"]);
  });

  it("surfaces gateway errors as the SDK's typed errors", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "rate" }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError);
        assert.match(e.message, /slow down/);
        return true;
      },
    );
    await assert.rejects(
      client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        return true;
      },
    );
  });
});
