import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, startFakeUpstream } from "../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../test-support/test-gateway.js";

let up: FakeUpstream;
let gw: TestGateway;
let failures = 0;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const model = req.json.model as string;
    if (model === "flaky" && failures-- > 0) return replyJson(res, 503, { error: { message: "try again" } });
    if (model === "broken") return replyJson(res, 500, { error: { message: "primary is down" } });
    if (req.url.endsWith("/embeddings"))
      return replyJson(res, 200, {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [1] }],
        model,
        usage: { prompt_tokens: 2, total_tokens: 2 },
      });
    return replyJson(res, 200, {
      id: "x",
      object: "chat.completion",
      created: 1,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: `from ${model}` }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });
  const m = (name: string, extra = "") =>
    `{ provider: openai, name: ${name}, config: { openai_api_key: sk-routes-test-123456, openai_api_base: "${up.url}/v1" }${extra} }`;
  gw = await startTestGateway(`
endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: ${m("gpt-a")}, limit: { renewal_period: minute, calls: 1000 } }
  - { name: completions, endpoint_type: llm/v1/completions, model: ${m("gpt-c")} }
  - { name: embeddings, endpoint_type: llm/v1/embeddings, model: ${m("emb")} }
  - { name: limited, endpoint_type: llm/v1/chat, model: ${m("gpt-l")}, limit: { renewal_period: minute, calls: 2 } }
  - name: split
    endpoint_type: llm/v1/chat
    models: [ ${m("model-a", ", weight: 3")}, ${m("model-b", ", weight: 1")} ]
  - { name: primary, endpoint_type: llm/v1/chat, model: ${m("broken")}, fallbacks: [backup] }
  - { name: backup, endpoint_type: llm/v1/chat, model: ${m("backup-model")} }
  - { name: retrying, endpoint_type: llm/v1/chat, model: ${m("flaky")}, retries: { max_attempts: 3, backoff_ms: 5 } }
`);
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("gateway routes", () => {
  it("answers /health and lists endpoints the MLflow way", async () => {
    const h = await gw.call("GET", "/health");
    assert.deepEqual(h.json, { status: "OK" });
    const list = await gw.call("GET", "/api/2.0/endpoints/");
    assert.equal(list.status, 200);
    assert.equal(list.json.endpoints.length, 8);
    assert.deepEqual(list.json.endpoints[0], {
      name: "chat",
      endpoint_type: "llm/v1/chat",
      model: { name: "gpt-a", provider: "openai" },
      endpoint_url: "/gateway/chat/invocations",
      limit: { calls: 1000, key: null, renewal_period: "minute" },
    });
    assert.equal(list.json.next_page_token, undefined);
    const one = await gw.call("GET", "/api/2.0/endpoints/completions");
    assert.equal(one.json.limit, null);
    const missing = await gw.call("GET", "/api/2.0/endpoints/nope");
    assert.equal(missing.status, 404);
    assert.match(missing.json.message, /The endpoint 'nope' is not present or active on the server/);
    const bad = await gw.call("GET", "/api/2.0/endpoints/?page_token=garbage");
    assert.equal(bad.status, 400);
  });

  it("serves the legacy gateway routes and 501 for the limits API", async () => {
    const routes = await gw.call("GET", "/api/2.0/gateway/routes/");
    assert.equal(routes.json.routes[1].route_type, "llm/v1/completions");
    assert.equal(routes.json.routes[1].route_url, "/gateway/completions/invocations");
    const r = await gw.call("GET", "/api/2.0/gateway/routes/chat");
    assert.equal(r.json.name, "chat");
    assert.equal((await gw.call("GET", "/api/2.0/endpoints/limits/chat")).status, 501);
    assert.equal((await gw.call("POST", "/api/2.0/gateway/limits/", {})).status, 501);
    const legacy = await gw.call("POST", "/gateway/chat/invocations", {
      messages: [{ role: "user", content: "x" }],
      candidate_count: 1,
    });
    assert.equal(legacy.status, 200, legacy.text);
  });

  it("serves the OpenAI-compatible routes with model naming the endpoint", async () => {
    const models = await gw.call("GET", "/v1/models");
    assert.deepEqual(models.json.data[0], { id: "chat", object: "model", created: 0, owned_by: "mlflow-ts-gateway" });
    const chat = await gw.call("POST", "/v1/chat/completions", {
      model: "chat",
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(chat.status, 200);
    assert.equal(chat.json.choices[0].message.content, "from gpt-a");
    assert.equal(up.requests.at(-1)!.json.model, "gpt-a", "the endpoint name is replaced by the provider's model");
    const comp = await gw.call("POST", "/v1/completions", { model: "completions", prompt: "x" });
    assert.equal(comp.json.choices[0].text, "from gpt-c");
    const emb = await gw.call("POST", "/v1/embeddings", { model: "embeddings", input: "x" });
    assert.deepEqual(emb.json.data[0].embedding, [1]);
    const wrongType = await gw.call("POST", "/v1/chat/completions", {
      model: "completions",
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.json.error.message, "Endpoint 'completions' is not a chat endpoint.");
    const unknown = await gw.call("POST", "/v1/chat/completions", {
      model: "nope",
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /nope/);
    const noModel = await gw.call("POST", "/v1/embeddings", { input: "x" });
    assert.equal(noModel.status, 400);
    assert.equal(noModel.json.error.type, "invalid_request_error");
  });

  it("answers 404 and 405 for unknown routes and methods", async () => {
    assert.equal((await gw.call("GET", "/nope")).status, 404);
    assert.equal((await gw.call("GET", "/endpoints/chat/invocations")).status, 405);
  });

  it("limits calls per period in memory with 429 and Retry-After", async () => {
    const body = { messages: [{ role: "user", content: "x" }] };
    assert.equal((await gw.call("POST", "/endpoints/limited/invocations", body)).status, 200);
    assert.equal((await gw.call("POST", "/v1/chat/completions", { ...body, model: "limited" })).status, 200);
    const n = up.requests.length;
    const third = await gw.call("POST", "/endpoints/limited/invocations", body);
    assert.equal(third.status, 429);
    assert.equal(third.json.error_code, "REQUEST_LIMIT_EXCEEDED");
    assert.equal(third.json.message, "Rate limit exceeded: 2 per 1 minute");
    const after = Number(third.headers.get("retry-after"));
    assert.ok(after >= 1 && after <= 60, String(after));
    assert.equal(up.requests.length, n, "a limited call never reaches the provider");
  });

  it("splits traffic by weight", async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const r = await gw.call("POST", "/endpoints/split/invocations", { messages: [{ role: "user", content: "x" }] });
      const who = r.json.choices[0].message.content as string;
      counts[who] = (counts[who] ?? 0) + 1;
    }
    const a = counts["from model-a"] ?? 0;
    assert.equal(a + (counts["from model-b"] ?? 0), 400);
    assert.ok(a > 250 && a < 350, `model-a got ${a} of 400 (expected ~300)`);
  });

  it("falls back to another endpoint and retries with backoff", async () => {
    const r = await gw.call("POST", "/endpoints/primary/invocations", { messages: [{ role: "user", content: "x" }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "from backup-model");
    failures = 2;
    const retried = await gw.call("POST", "/endpoints/retrying/invocations", {
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(retried.status, 200, retried.text);
    failures = 5;
    const exhausted = await gw.call("POST", "/endpoints/retrying/invocations", {
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(exhausted.status, 502);
    failures = 0;
  });

  it("accounts requests, tokens, errors, fallbacks and latency at /metrics", async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    const text = await res.text();
    assert.match(text, /mlflow_gateway_requests_total\{endpoint="limited",status="429"\} 1/);
    assert.match(text, /mlflow_gateway_rate_limited_total\{endpoint="limited"\} 1/);
    assert.match(text, /mlflow_gateway_fallbacks_total\{endpoint="primary"\} 1/);
    assert.match(text, /mlflow_gateway_retries_total\{endpoint="retrying"\} [45]/);
    assert.match(
      text,
      /mlflow_gateway_upstream_requests_total\{endpoint="primary",provider="openai",model="broken",outcome="error"\} 1/,
    );
    assert.match(text, /mlflow_gateway_input_tokens_total\{endpoint="chat",provider="openai",model="gpt-a"\} 6/);
    assert.match(text, /mlflow_gateway_output_tokens_total\{endpoint="chat",provider="openai",model="gpt-a"\} 4/);
    assert.match(text, /mlflow_gateway_request_duration_seconds_count\{endpoint="split"\} 400/);
    assert.match(text, /mlflow_gateway_request_errors_total\{endpoint="retrying"\} 1/);
    assert.ok(!text.includes("sk-routes-test"));
  });
});
