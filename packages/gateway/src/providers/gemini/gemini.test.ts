import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

const KEY = "AIza-gemini-test-key-0000000000";
let up: FakeUpstream;
let gw: TestGateway;

const candidate = (text: string, finishReason = "STOP") => ({
  content: { role: "model", parts: [{ text }] },
  finishReason,
  index: 0,
});

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const text = req.json.contents?.at(-1)?.parts?.[0]?.text;
    if (text === "rate")
      return replyJson(res, 429, {
        error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" },
      });
    if (text === "bad")
      return replyJson(res, 400, {
        error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" },
      });
    if (req.url.includes(":batchEmbedContents"))
      return replyJson(res, 200, {
        embeddings: req.json.requests.map((_: unknown, i: number) => ({ values: [i, 0.25] })),
      });
    if (req.url.includes(":streamGenerateContent"))
      return replySse(res, [
        { data: { candidates: [candidate("Gu", undefined as unknown as string)] } },
        {
          data: {
            candidates: [candidate("ten Tag")],
            usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 },
          },
        },
      ]);
    return replyJson(res, 200, {
      candidates: [candidate(`gemini: ${text}`, "MAX_TOKENS")],
      usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 2, totalTokenCount: 8 },
    });
  });
  const model = (name: string) =>
    `{ provider: gemini, name: ${name}, config: { gemini_api_key: $GEMINI_API_KEY, gemini_api_base: "${up.url}/v1beta" } }`;
  gw = await startTestGateway(
    `endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: ${model("gemini-1.5-flash")} }
  - { name: completions, endpoint_type: llm/v1/completions, model: ${model("gemini-1.5-flash")} }
  - { name: embeddings, endpoint_type: llm/v1/embeddings, model: ${model("text-embedding-004")} }
`,
    { env: { GEMINI_API_KEY: KEY } },
  );
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("gemini provider", () => {
  it("translates chat to generateContent with the key in a header, not the URL", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "u1" },
        { role: "assistant", content: "a1" },
        { role: "user", content: "hi" },
      ],
      max_tokens: 9,
      stop: ["x"],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "gemini: hi");
    assert.equal(r.json.choices[0].finish_reason, "length");
    assert.deepEqual(r.json.usage, { prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/v1beta/models/gemini-1.5-flash:generateContent");
    assert.equal(sent.headers["x-goog-api-key"], KEY);
    assert.deepEqual(sent.json.systemInstruction, { parts: [{ text: "sys" }] });
    assert.deepEqual(
      sent.json.contents.map((c: { role: string }) => c.role),
      ["user", "model", "user"],
    );
    assert.deepEqual(sent.json.generationConfig, {
      temperature: 0,
      candidateCount: 1,
      maxOutputTokens: 9,
      stopSequences: ["x"],
    });
  });

  it("serves completions and embeddings", async () => {
    const c = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "p" });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.choices[0].text, "gemini: p");
    const e = await gw.call("POST", "/endpoints/embeddings/invocations", { input: "x" });
    assert.equal(e.status, 200, e.text);
    assert.deepEqual(e.json.data[0].embedding, [0, 0.25]);
    assert.equal(up.requests.at(-1)!.json.requests[0].model, "models/text-embedding-004");
  });

  it("streams with alt=sse", async () => {
    const r = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(r.status, 200);
    assert.equal(up.requests.at(-1)!.url, "/v1beta/models/gemini-1.5-flash:streamGenerateContent?alt=sse");
    assert.equal(r.events.map((e) => e.choices[0].delta.content).join(""), "Guten Tag");
    assert.equal(r.events[0].choices[0].delta.role, "assistant");
    assert.equal(r.events.at(-1).usage.total_tokens, 7);
  });

  it("maps errors: 429 stays 429, 400 stays 400", async () => {
    const rate = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "rate" }],
    });
    assert.equal(rate.status, 429);
    assert.match(rate.json.message, /Resource has been exhausted/);
    const bad = await gw.call("POST", "/endpoints/chat/invocations", { messages: [{ role: "user", content: "bad" }] });
    assert.equal(bad.status, 400);
  });
});
