import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../test-support/test-gateway.js";
import { DeploymentsError, getDeployClient } from "./deploy-client.js";

let up: FakeUpstream;
let gw: TestGateway;
let flaky = 0;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if (req.json.messages?.[0]?.content === "flaky" && flaky-- > 0)
      return replyJson(res, 503, { error: { message: "busy" } });
    if (req.json.stream)
      return replySse(res, [
        {
          data: {
            id: "1",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }],
          },
        },
        {
          data: {
            id: "1",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: "b" }, finish_reason: "stop" }],
          },
        },
        { data: "[DONE]" },
      ]);
    return replyJson(res, 200, {
      id: "1",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
  gw = await startTestGateway(`endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: { provider: openai, name: m, config: { openai_api_key: sk-client-test-1234, openai_api_base: "${up.url}/v1" } } }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("getDeployClient", () => {
  it("lists and gets endpoints with absolute endpoint URLs", async () => {
    const client = getDeployClient(gw.url);
    const list = await client.listEndpoints();
    assert.equal(list.length, 1);
    assert.equal(list[0]?.endpoint_url, `${gw.url}/gateway/chat/invocations`);
    const one = await client.getEndpoint("chat");
    assert.equal(one.endpoint_type, "llm/v1/chat");
    await assert.rejects(client.getEndpoint("nope"), (e: unknown) => {
      assert.ok(e instanceof DeploymentsError);
      assert.equal(e.status, 404);
      assert.equal(e.errorCode, "RESOURCE_DOES_NOT_EXIST");
      return true;
    });
  });

  it("predicts, streams, and retries 503s", async () => {
    const client = getDeployClient(`${gw.url}/`, { backoffMs: 5 });
    const r = (await client.predict({ endpoint: "chat", inputs: { messages: [{ role: "user", content: "hi" }] } })) as {
      choices: Array<{ message: { content: string } }>;
    };
    assert.equal(r.choices[0]?.message.content, "hello");
    const chunks: string[] = [];
    for await (const c of client.predictStream({
      endpoint: "chat",
      inputs: { messages: [{ role: "user", content: "hi" }] },
    }))
      chunks.push((c as { choices: Array<{ delta: { content: string } }> }).choices[0]?.delta.content ?? "");
    assert.deepEqual(chunks, ["a", "b"]);
    flaky = 2;
    const again = (await client.predict({
      endpoint: "chat",
      inputs: { messages: [{ role: "user", content: "flaky" }] },
    })) as object;
    assert.ok("choices" in again);
    await assert.rejects(client.predict({ endpoint: "chat", inputs: { messages: [] } }), /400/);
  });

  it("refuses targets other than http(s) URLs", () => {
    assert.throws(() => getDeployClient("databricks"), /Unsupported deployments target/);
  });
});
