import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  // Speaks the scoring server's wire format: POST /invocations {"inputs": ..., "params": ...} -> {"predictions": ...}.
  up = await startFakeUpstream(async (req, res) => {
    if (req.url !== "/invocations") return replyJson(res, 404, { error_code: "ENDPOINT_NOT_FOUND", message: "no" });
    const inputs = req.json.inputs as unknown[];
    if (inputs[0] === "crash")
      return replyJson(res, 500, { error_code: "INTERNAL_ERROR", message: "model raised ValueError" });
    if (inputs[0] === "nokey") return replyJson(res, 200, { outputs: [] });
    if (typeof inputs[0] === "string" && inputs[0].startsWith("vec"))
      return replyJson(res, 200, { predictions: inputs.map((_, i) => [i, 1.5]) });
    return replyJson(res, 200, { predictions: inputs.map((x) => `served: ${x}`) });
  });
  const model = (name: string) =>
    `{ provider: mlflow-model-serving, name: ${name}, config: { model_server_url: "${up.url}" } }`;
  gw = await startTestGateway(`endpoints:
  - { name: completions, endpoint_type: llm/v1/completions, model: ${model("my-llm")} }
  - { name: chat, endpoint_type: llm/v1/chat, model: ${model("my-chat")} }
  - { name: embeddings, endpoint_type: llm/v1/embeddings, model: ${model("my-embedder")} }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("mlflow-model-serving provider", () => {
  it("sends inputs and params as MLflow's scoring server expects and reads predictions", async () => {
    const r = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "hello", max_tokens: 3 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].text, "served: hello");
    assert.equal(r.json.model, "my-llm");
    assert.deepEqual(up.requests.at(-1)!.json, { inputs: ["hello"], params: { temperature: 0, n: 1, max_tokens: 3 } });
    const c = await gw.call("POST", "/endpoints/chat/invocations", { messages: [{ role: "user", content: "q" }] });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.choices[0].message.content, "served: q");
    assert.deepEqual(up.requests.at(-1)!.json.inputs, ["q"]);
    const many = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "b" },
      ],
    });
    assert.equal(many.status, 422);
  });

  it("serves embeddings", async () => {
    const r = await gw.call("POST", "/endpoints/embeddings/invocations", { input: ["vec1", "vec2"] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data[1].embedding, [1, 1.5]);
  });

  it("streams as one chunk (the scoring server does not stream)", async () => {
    const r = await gw.stream("/endpoints/completions/invocations", { prompt: "s" });
    assert.equal(r.status, 200);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].choices[0].text, "served: s");
    const c = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(c.events[0].choices[0].delta.content, "served: s");
  });

  it("maps errors: a failing model is 502, a response without predictions is 502", async () => {
    const crash = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "crash" });
    assert.equal(crash.status, 502);
    assert.match(crash.json.message, /model raised ValueError/);
    const nokey = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "nokey" });
    assert.equal(nokey.status, 502);
    assert.match(nokey.json.message, /predictions/);
  });
});
