import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, startFakeUpstream } from "../../test-support/fake-upstream.js";
import { startTestGateway, type TestGateway } from "../../test-support/test-gateway.js";
import { decodeEventStream, encodeEventStreamMessage } from "./event-stream.js";
import { signV4 } from "./sigv4.js";

const ACCESS = "AKIDEXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

describe("SigV4", () => {
  it("matches AWS's published example (IAM ListUsers)", () => {
    const headers = signV4({
      method: "GET",
      host: "iam.amazonaws.com",
      path: "/",
      query: "Action=ListUsers&Version=2010-05-08",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "",
      region: "us-east-1",
      service: "iam",
      credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
      date: new Date("2015-08-30T12:36:00Z"),
    });
    assert.equal(
      headers.authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });
});

describe("event stream framing", () => {
  it("round-trips frames split at arbitrary points and rejects bad checksums", async () => {
    const a = encodeEventStreamMessage(
      { ":event-type": "contentBlockDelta", ":message-type": "event" },
      '{"delta":{"text":"x"}}',
    );
    const b = encodeEventStreamMessage({ ":event-type": "messageStop" }, "{}");
    const all = Buffer.concat([a, b]);
    const pieces = [all.subarray(0, 5), all.subarray(5, 40), all.subarray(40)];
    const out = [];
    for await (const m of decodeEventStream(
      (async function* () {
        yield* pieces;
      })(),
    ))
      out.push(m);
    assert.equal(out.length, 2);
    assert.equal(out[0]?.headers[":event-type"], "contentBlockDelta");
    assert.equal(out[0]?.payload.toString(), '{"delta":{"text":"x"}}');
    const bad = Buffer.from(a);
    bad.writeUInt8((bad.readUInt8(bad.length - 6) ^ 0xff) & 0xff, bad.length - 6);
    await assert.rejects(async () => {
      for await (const _ of decodeEventStream(
        (async function* () {
          yield bad;
        })(),
      )) {
      }
    }, /checksum/);
  });
});

let up: FakeUpstream;
let gw: TestGateway;

before(async () => {
  up = await startFakeUpstream(async (req, res) => {
    // The fake checks the signature's shape and that it covers the body it received.
    const auth = String(req.headers.authorization ?? "");
    if (
      !auth.startsWith(`AWS4-HMAC-SHA256 Credential=${ACCESS}/`) ||
      !/SignedHeaders=[^,]*host[^,]*x-amz-date/.test(auth)
    )
      return replyJson(res, 403, { message: "The security token included in the request is invalid." });
    const expected = signV4({
      method: "POST",
      host: String(req.headers.host),
      path: req.url,
      query: "",
      headers: { "content-type": String(req.headers["content-type"]), accept: String(req.headers.accept) },
      body: req.text,
      region: "eu-west-1",
      service: "bedrock",
      credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET, sessionToken: "session-token-xyz" },
      date: new Date(
        String(req.headers["x-amz-date"]).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
      ),
    });
    if (expected.authorization !== auth)
      return replyJson(res, 403, {
        message: "The request signature we calculated does not match the signature you provided.",
      });
    const text = req.json.messages?.at(-1)?.content?.[0]?.text;
    if (text === "throttle")
      return replyJson(
        res,
        429,
        { message: "Too many requests, please wait before trying again." },
        { "x-amzn-errortype": "ThrottlingException" },
      );
    if (req.url.endsWith("/invoke"))
      return replyJson(res, 200, { embedding: [0.5, req.json.inputText.length], inputTextTokenCount: 2 });
    if (req.url.endsWith("/converse-stream")) {
      res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
      const ev = (type: string, payload: unknown) =>
        encodeEventStreamMessage(
          { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
          JSON.stringify(payload),
        );
      const frames = Buffer.concat([
        ev("messageStart", { role: "assistant" }),
        ev("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hallo" } }),
        ev("contentBlockDelta", { contentBlockIndex: 0, delta: { text: " Welt" } }),
        ev("contentBlockStop", { contentBlockIndex: 0 }),
        ev("messageStop", { stopReason: "end_turn" }),
        ev("metadata", { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, metrics: { latencyMs: 1 } }),
      ]);
      // Split mid-frame to exercise reassembly.
      res.write(frames.subarray(0, 30));
      await new Promise((r) => setTimeout(r, 5));
      res.end(frames.subarray(30));
      return;
    }
    return replyJson(res, 200, {
      output: { message: { role: "assistant", content: [{ text: `bedrock: ${text}` }] } },
      stopReason: "end_turn",
      usage: { inputTokens: 8, outputTokens: 3, totalTokens: 11 },
    });
  });
  const cfg = `{ aws_config: { aws_region: eu-west-1, aws_access_key_id: ${ACCESS}, aws_secret_access_key: $AWS_SECRET, aws_session_token: session-token-xyz, aws_endpoint_url: "${up.url}" } }`;
  gw = await startTestGateway(
    `endpoints:
  - { name: chat, endpoint_type: llm/v1/chat, model: { provider: bedrock, name: "anthropic.claude-3-haiku-20240307-v1:0", config: ${cfg} } }
  - { name: completions, endpoint_type: llm/v1/completions, model: { provider: amazon-bedrock, name: "amazon.titan-text-express-v1", config: ${cfg} } }
  - { name: embeddings, endpoint_type: llm/v1/embeddings, model: { provider: bedrock, name: "amazon.titan-embed-text-v1", config: ${cfg} } }
`,
    { env: { AWS_SECRET: SECRET } },
  );
});

after(async () => {
  await gw.close();
  await up.close();
});

describe("bedrock provider", () => {
  it("sends signed Converse requests and translates the answer", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "hi" },
      ],
      max_tokens: 7,
      temperature: 1,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, "bedrock: hi");
    assert.equal(r.json.choices[0].finish_reason, "stop");
    assert.deepEqual(r.json.usage, { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 });
    const sent = up.requests.at(-1)!;
    assert.equal(sent.url, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    assert.equal(sent.headers["x-amz-security-token"], "session-token-xyz");
    assert.deepEqual(sent.json.system, [{ text: "sys" }]);
    assert.deepEqual(sent.json.inferenceConfig, { temperature: 0.5, maxTokens: 7 });
  });

  it("serves completions and Titan embeddings (one call per text)", async () => {
    const c = await gw.call("POST", "/endpoints/completions/invocations", { prompt: "p" });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.choices[0].text, "bedrock: p");
    const e = await gw.call("POST", "/endpoints/embeddings/invocations", { input: ["a", "bcd"] });
    assert.equal(e.status, 200, e.text);
    assert.deepEqual(
      e.json.data.map((d: { embedding: number[] }) => d.embedding),
      [
        [0.5, 1],
        [0.5, 3],
      ],
    );
    assert.equal(e.json.usage.prompt_tokens, 4);
  });

  it("decodes converse-stream's binary event stream into SSE chunks", async () => {
    const r = await gw.stream("/endpoints/chat/invocations", { messages: [{ role: "user", content: "s" }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.events.map((e) => e.choices[0]?.delta.content ?? "").join(""), "Hallo Welt");
    assert.ok(r.events.some((e) => e.choices[0]?.finish_reason === "stop"));
    assert.equal(r.events.at(-1).usage.total_tokens, 5);
  });

  it("maps throttling to 429", async () => {
    const r = await gw.call("POST", "/endpoints/chat/invocations", {
      messages: [{ role: "user", content: "throttle" }],
    });
    assert.equal(r.status, 429);
    assert.match(r.json.message, /Too many requests/);
    assert.ok(!r.text.includes(SECRET));
  });
});
