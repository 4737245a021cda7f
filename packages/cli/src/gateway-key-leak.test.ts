// Provider keys never appear in responses, errors or logs: a gateway process with keys for
// several providers is driven through every route and failure, with upstreams that echo the
// key they receive; every response (body and headers) and the process' output are grepped.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeUpstream, replyJson, replySse, startFakeUpstream } from "@mlflow-ts/gateway/test-support";
import { runCli } from "./test-support/spawn-cli.js";
import { startCliGateway } from "./test-support/spawn-gateway.js";

const KEYS = {
  OPENAI_KEY: "sk-proj-LEAKTEST-openai-0123456789abcdefghij",
  ANTHROPIC_KEY: "sk-ant-api03-LEAKTEST-anthropic-0123456789",
  GEMINI_KEY: "AIzaSyLEAKTEST-gemini-0123456789abcdef",
  COHERE_KEY: "co-LEAKTEST-cohere-0123456789abcdefgh",
  AWS_SECRET: "LEAKTEST/aws-secret-0123456789abcdefghijk",
};
const LITERAL = "sk-literal-LEAKTEST-in-yaml-0123456789";
const ALL_KEYS = [...Object.values(KEYS), LITERAL];

let dir: string;
let up: FakeUpstream;

/** Every credential the request carried, as the upstream saw it. */
function credential(headers: Record<string, unknown>): string {
  return String(headers.authorization ?? headers["x-api-key"] ?? headers["x-goog-api-key"] ?? headers["api-key"] ?? "");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gw-leak-"));
  up = await startFakeUpstream(async (req, res) => {
    const cred = credential(req.headers);
    const key = cred.replace(/^Bearer /, "");
    const text = JSON.stringify(req.json ?? {});
    const echo = { "x-echo-key": key, "set-cookie": `session=${key}` };
    if (text.includes("full"))
      return replyJson(res, 401, { error: { message: `Invalid API key: ${key}` }, message: `bad key ${key}` }, echo);
    if (text.includes("masked"))
      return replyJson(
        res,
        401,
        { error: { message: `Incorrect API key provided: ${key.slice(0, 10)}*****${key.slice(-4)}` } },
        echo,
      );
    if (text.includes("crash"))
      return replyJson(res, 500, { error: { message: `internal error while using ${key}` } }, echo);
    if (text.includes("weird")) return replyJson(res, 200, { choices: [null], note: key }, echo);
    if (text.includes("midstream"))
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
        { data: { error: { message: `stream failed for key ${key}` } } },
      ]);
    if (req.url.includes("/messages"))
      return replyJson(res, 200, { content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: {} }, echo);
    return replyJson(
      res,
      200,
      {
        id: "1",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      },
      echo,
    );
  });
});

after(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra = ""): string {
  return `endpoints:
  - { name: openai, endpoint_type: llm/v1/chat, model: { provider: openai, name: m, config: { openai_api_key: $OPENAI_KEY, openai_api_base: "${up.url}/v1" } } }
  - { name: literal, endpoint_type: llm/v1/chat, model: { provider: openai, name: m, config: { openai_api_key: ${LITERAL}, openai_api_base: "${up.url}/v1" } } }
  - { name: anthropic, endpoint_type: llm/v1/chat, model: { provider: anthropic, name: c, config: { anthropic_api_key: $ANTHROPIC_KEY, anthropic_api_base: "${up.url}/v1" } } }
  - { name: gemini, endpoint_type: llm/v1/chat, model: { provider: gemini, name: g, config: { gemini_api_key: $GEMINI_KEY, gemini_api_base: "${up.url}/v1beta" } } }
  - { name: cohere, endpoint_type: llm/v1/chat, model: { provider: cohere, name: c, config: { cohere_api_key: $COHERE_KEY, cohere_api_base: "${up.url}/v1" } } }
  - { name: bedrock, endpoint_type: llm/v1/chat, model: { provider: bedrock, name: b, config: { aws_config: { aws_access_key_id: AKIALEAKTEST, aws_secret_access_key: $AWS_SECRET, aws_endpoint_url: "${up.url}" } } } }
${extra}`;
}

function assertClean(what: string, text: string) {
  for (const k of ALL_KEYS) {
    assert.ok(!text.includes(k), `${what} contains a key:\n${text}`);
    assert.ok(!text.includes(k.slice(0, 10)), `${what} contains the start of a key:\n${text}`);
  }
}

describe("provider keys never leak", () => {
  it("not in responses, errors, headers, metrics or logs", async () => {
    const cfg = join(dir, "gw.yaml");
    writeFileSync(cfg, config());
    const gw = await startCliGateway(["--config-path", cfg], KEYS);
    const seen: string[] = [];
    const record = async (res: Response) => {
      const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
      seen.push(`${res.status}\n${headers}\n${await res.text()}`);
      return res.status;
    };
    try {
      for (const path of [
        "/api/2.0/endpoints/",
        "/api/2.0/endpoints/openai",
        "/api/2.0/gateway/routes/",
        "/v1/models",
        "/health",
      ])
        await record(await fetch(gw.url + path));
      const statuses: number[] = [];
      for (const ep of ["openai", "literal", "anthropic", "gemini", "cohere", "bedrock"]) {
        for (const content of ["fine", "full", "masked", "crash", "weird"]) {
          for (const stream of [false, true]) {
            const res = await fetch(`${gw.url}/endpoints/${ep}/invocations`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ messages: [{ role: "user", content }], stream }),
            });
            statuses.push(await record(res));
          }
        }
        const v1 = await fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: ep, messages: [{ role: "user", content: "full" }] }),
        });
        await record(v1);
      }
      for (const ep of ["openai", "literal"]) {
        const res = await fetch(`${gw.url}/endpoints/${ep}/invocations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ messages: [{ role: "user", content: "midstream" }], stream: true }),
        });
        await record(res);
      }
      assert.ok(statuses.includes(200) && statuses.includes(502), `exercised successes and failures: ${statuses}`);
      // A broken config that carries a literal key on the failing line, then one that fails validation.
      writeFileSync(
        cfg,
        `${config()}  - { name: broken, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: ${LITERAL}, openai_api_base: [oops } } }\n`,
      );
      await gw.waitFor(/previous configuration stays in effect/);
      writeFileSync(
        cfg,
        `${config()}  - { name: broken, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: ${LITERAL}, openai_api_type: ${LITERAL} } } }\n`,
      );
      await gw.waitFor(/previous configuration stays in effect[\s\S]*previous configuration stays in effect/);
      await record(await fetch(`${gw.url}/metrics`));
    } finally {
      await gw.stop();
    }
    // The upstream did get the keys (so the test exercised them).
    assert.ok(up.requests.some((r) => credential(r.headers).includes(KEYS.OPENAI_KEY)));
    assert.ok(up.requests.some((r) => credential(r.headers).includes(LITERAL)));
    for (const s of seen) assertClean("a response", s);
    assertClean("the gateway's output", gw.output());
    assert.match(gw.output(), /Unexpected error/, "the crash path was logged (without the key)");

    // Startup failures print no key either.
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `endpoints:\n  - { name: x, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: ${LITERAL}, openai_api_type: ${LITERAL} } } }\n`,
    );
    const r = await runCli(["gateway", "start", "--config-path", bad, "--port", "0"]);
    assert.equal(r.code, 2);
    assertClean("startup error", r.stderr + r.stdout);
  });
});
