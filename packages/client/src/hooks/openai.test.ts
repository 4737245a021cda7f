import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import OpenAI from "openai";
import { Mlflow, MlflowClient } from "../node/index.js";
import { wrapOpenAI } from "./openai.js";

/** An OpenAI-compatible server on 127.0.0.1: chat completions (plain and streamed), embeddings. */
async function fakeOpenAI(): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    let raw = "";
    for await (const c of req) raw += c;
    const body = JSON.parse(raw || "{}");
    await new Promise((r) => setTimeout(r, 15));
    if (body.model === "broken") {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model broken", type: "invalid_request_error" } }));
      return;
    }
    if (req.url?.endsWith("/embeddings")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          data: [{ embedding: [0.1, 0.2], index: 0 }],
          usage: { prompt_tokens: 3, total_tokens: 3 },
        }),
      );
      return;
    }
    const content = `echo: ${body.messages.at(-1).content}`;
    if (body.stream) {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      for (const piece of [content.slice(0, 5), content.slice(5)]) {
        res.write(
          `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: piece } }] })}\n\n`,
        );
      }
      res.write(
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } })}\n\n`,
      );
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        id: "c",
        object: "chat.completion",
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

describe("openai wrapper", () => {
  let server: TestServer;
  let fake: { url: string; server: Server };
  let client: MlflowClient;
  before(async () => {
    server = await startTestServer();
    fake = await fakeOpenAI();
    client = new MlflowClient(server.url);
  });
  after(async () => {
    await server.close();
    fake.server.close();
  });

  it("logs inputs, outputs, token counts and latency of each call to the active run", async () => {
    const m = new Mlflow({ trackingUri: server.url, flushOnExit: false });
    const openai = wrapOpenAI(new OpenAI({ apiKey: "test", baseURL: fake.url, maxRetries: 0 }), { mlflow: m });
    const run = await m.startRun();
    const reply = await openai.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(reply.choices[0]?.message.content, "echo: hi");
    const stream = await openai.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(streamed, "echo: stream me");
    await openai.embeddings.create({ model: "emb", input: "text" });
    await assert.rejects(
      openai.chat.completions.create({ model: "broken", messages: [{ role: "user", content: "x" }] }),
    );
    assert.equal(typeof openai.models.list, "function", "the rest of the SDK is untouched");
    await m.endRun();

    const id = run.info.run_id;
    const tokens = await client.getMetricHistory(id, "openai/total_tokens");
    assert.deepEqual(
      tokens.map((p) => [p.step, p.value]),
      [
        [0, 12],
        [1, 6],
        [2, 3],
      ],
    );
    const latency = await client.getMetricHistory(id, "openai/latency_ms");
    assert.equal(latency.length, 4);
    assert.ok(latency.every((p) => p.value >= 10));
    const table = JSON.parse(new TextDecoder().decode(await client.readArtifact(id, "openai_calls.json")));
    const col = (name: string) => table.columns.indexOf(name);
    assert.deepEqual(
      table.data.map((r: unknown[]) => [r[col("model")], r[col("outputs")], r[col("prompt_tokens")]]),
      [
        ["gpt-test", "echo: hi", 7],
        ["gpt-test", "echo: stream me", 4],
        ["emb", "1 embedding(s)", 3],
        ["broken", null, null],
      ],
    );
    assert.equal(JSON.parse(table.data[0][col("inputs")])[0].content, "hi");
    assert.match(table.data[3][col("error")], /model broken/);
    const tag = (await client.getRun(id)).data.tags?.find((t) => t.key === "mlflow.loggedArtifacts");
    assert.deepEqual(JSON.parse(tag?.value ?? "[]"), [{ path: "openai_calls.json", type: "table" }]);
  });
});
