import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ProviderRegistry } from "../providers/registry.js";
import { ConfigError } from "./config-error.js";
import { loadConfigFile, parseConfig } from "./load-config.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gwcfg-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const registry = new ProviderRegistry();
const env = { OPENAI_API_KEY: "sk-from-env-1234567890" };
const parse = (yaml: string, e: Record<string, string> = env) =>
  parseConfig(yaml, "/etc/gw.yaml", { registry, env: e });

function refused(yaml: string, pattern: RegExp, e?: Record<string, string>) {
  assert.throws(
    () => parse(yaml, e),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, pattern);
      assert.match(err.message, /\/etc\/gw\.yaml/, "names the file");
      return true;
    },
  );
}

const openai = (key = "$OPENAI_API_KEY") =>
  `{ provider: openai, name: gpt-4o-mini, config: { openai_api_key: "${key}" } }`;

describe("gateway config", () => {
  it("reads MLflow's endpoints form with limits and keys from the environment", () => {
    const c = parse(`
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: ${openai()}
    limit: { renewal_period: minute, calls: 10 }
`);
    assert.equal(c.endpoints.length, 1);
    const e = c.endpoints[0]!;
    assert.equal(e.endpointType, "llm/v1/chat");
    assert.deepEqual(e.limit, { calls: 10, renewalPeriod: "minute", key: null });
    assert.equal(e.models[0]!.config.openai_api_key, "sk-from-env-1234567890");
    assert.equal(e.models[0]!.config.openai_api_type, "openai");
    assert.equal(e.timeoutMs, 300_000);
    assert.deepEqual(c.secrets, ["sk-from-env-1234567890"]);
  });

  it("reads the legacy routes/route_type form and case-insensitive provider names", () => {
    const c = parse(`
routes:
  - name: completions
    route_type: llm/v1/completions
    model: { provider: Amazon_Bedrock, name: amazon.titan-text-express-v1, config: { aws_config: { aws_region: us-east-1 } } }
`);
    assert.equal(c.endpoints[0]!.endpointType, "llm/v1/completions");
    assert.equal(c.endpoints[0]!.models[0]!.provider.id, "bedrock");
  });

  it("resolves keys from a file (relative to the config's directory) or a literal", () => {
    writeFileSync(join(dir, "key.txt"), "sk-from-file-abcdef\n");
    writeFileSync(
      join(dir, "gw.yaml"),
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai("key.txt")} }\n  - { name: b, endpoint_type: llm/v1/chat, model: ${openai("sk-literal-key-xyz")} }\n`,
    );
    const c = loadConfigFile(join(dir, "gw.yaml"), { registry, env: {} });
    assert.equal(c.endpoints[0]!.models[0]!.config.openai_api_key, "sk-from-file-abcdef");
    assert.equal(c.endpoints[1]!.models[0]!.config.openai_api_key, "sk-literal-key-xyz");
  });

  it("refuses bad configs with the file, the endpoint and the field", () => {
    refused("endpoints: [", /not valid YAML/);
    refused("hello: 1", /Unrecognized key/);
    refused(
      `endpoints:\n  - { name: "bad name", endpoint_type: llm/v1/chat, model: ${openai()} }`,
      /endpoint 'bad name': name: must contain only letters/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/images, model: ${openai()} }`,
      /endpoint 'a': endpoint_type: Invalid option/,
    );
    refused(`endpoints:\n  - { name: a, model: ${openai()} }`, /endpoint 'a': endpoint_type: is required/);
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()} }\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()} }`,
      /endpoint 'a': duplicate endpoint name/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: nope, config: {} } }`,
      /endpoint 'a': model.provider: unknown provider 'nope'/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai("$MISSING_KEY")} }`,
      /endpoint 'a': model.config.openai_api_key: Environment variable 'MISSING_KEY' is not set/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: {} } }`,
      /model.config.openai_api_key: is required/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: k, openai_api_type: azure } } }`,
      /model.config.openai_api_base: is required when openai_api_type is azure/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/embeddings, model: { provider: anthropic, config: { anthropic_api_key: k } } }`,
      /anthropic does not serve llm\/v1\/embeddings/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()}, limit: { renewal_period: fortnight, calls: 1 } }`,
      /limit.renewal_period/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()}, limit: { renewal_period: minute, calls: 0 } }`,
      /limit.calls/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()}, fallbacks: [b] }`,
      /endpoint 'a': fallbacks: no endpoint named 'b'/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: ${openai()}, fallbacks: [b] }\n  - { name: b, endpoint_type: llm/v1/completions, model: ${openai()} }`,
      /'b' is llm\/v1\/completions, not llm\/v1\/chat/,
    );
    refused(
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: k, api_kee: x } } }`,
      /Unrecognized key/,
    );
  });

  it("never puts a key into an error message", () => {
    const secret = "sk-super-secret-value-123456";
    for (const yaml of [
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: "${secret}", openai_api_type: bogus } } }`,
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: "${secret}", openai_api_base: "not a url" } } }`,
      `endpoints:\n  - { name: a, endpoint_type: llm/v1/chat, model: { provider: openai, config: { openai_api_key: "${secret}" } }, limit: { calls: "${secret}", renewal_period: minute } }`,
    ]) {
      assert.throws(
        () => parse(yaml),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.ok(!err.message.includes(secret), err.message);
          return true;
        },
      );
    }
  });

  it("reads split weights, fallbacks, retries and timeouts", () => {
    const c = parse(`
endpoints:
  - name: ab
    endpoint_type: llm/v1/chat
    models:
      - { provider: openai, name: a, config: { openai_api_key: k1 }, weight: 80 }
      - { provider: openai, name: b, config: { openai_api_key: k2 }, weight: 20 }
    fallbacks: [backup]
    retries: { max_attempts: 3, backoff_ms: 10 }
    timeout_seconds: 2.5
  - { name: backup, endpoint_type: llm/v1/chat, model: ${openai()} }
`);
    const e = c.endpoints[0]!;
    assert.deepEqual(
      e.models.map((m) => [m.name, m.weight]),
      [
        ["a", 80],
        ["b", 20],
      ],
    );
    assert.deepEqual(e.fallbacks, ["backup"]);
    assert.deepEqual(e.retry, { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 5000 });
    assert.equal(e.timeoutMs, 2500);
  });
});
