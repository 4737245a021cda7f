import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { runCli } from "./test-support/spawn-cli.js";

const API = "/api/2.0/mlflow";
let s: TestServer;
let runArtifacts = "";
let runId = "";

async function ok(method: string, path: string, body: Record<string, unknown>) {
  const r = await s.call(method, `${API}${path}`, body);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  // the child CLI inherits the environment: no ambient server URL
  delete process.env.MLFLOW_TRACKING_URI;
  s = await startTestServer();
  const run = (await ok("POST", "/runs/create", {})).run.info;
  runId = run.run_id;
  runArtifacts = run.artifact_uri;
  await ok("POST", "/registered-models/create", { name: "churn" });
  await ok("POST", "/model-versions/create", { name: "churn", source: "s3://bucket/churn/1" });
  await ok("POST", "/model-versions/create", { name: "churn", source: `${runArtifacts}/model`, run_id: runId });
  await ok("POST", "/model-versions/create", { name: "churn", source: `runs:/${runId}/other` });
  await ok("POST", "/model-versions/transition-stage", { name: "churn", version: "1", stage: "Production" });
  await ok("POST", "/registered-models/alias", { name: "churn", alias: "champion", version: "2" });
});
after(async () => {
  await s.close();
});

const resolve = (uri: string, ...extra: string[]) =>
  runCli(["models", "resolve-uri", uri, "--tracking-uri", s.url, ...extra]);

describe("mlflow-ts models resolve-uri", () => {
  it("resolves every models:/ form and runs:/ through the REST API", async () => {
    const cases: [string, string][] = [
      ["models:/churn/1", "s3://bucket/churn/1"],
      ["models:/churn/production", "s3://bucket/churn/1"],
      ["models:/churn@champion", `${runArtifacts}/model`],
      ["models:/churn/latest", `${runArtifacts}/other`],
      [`runs:/${runId}/model/MLmodel`, `${runArtifacts}/model/MLmodel`],
    ];
    for (const [uri, expected] of cases) {
      const r = await resolve(uri);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${expected}\n`, uri);
    }
    const json = await resolve("models:/churn@champion", "--json");
    assert.deepEqual(JSON.parse(json.stdout), {
      uri: "models:/churn@champion",
      name: "churn",
      version: "2",
      artifact_uri: `${runArtifacts}/model`,
    });
  });

  it("reports unknown aliases, empty stages, malformed URIs and a missing server URL on one line", async () => {
    const alias = await resolve("models:/churn@nope");
    assert.equal(alias.code, 1);
    assert.equal(
      alias.stderr,
      "mlflow-ts models resolve-uri: error: Registered model alias nope not found. (INVALID_PARAMETER_VALUE)\n",
    );
    const stage = await resolve("models:/churn/Staging");
    assert.equal(stage.code, 1);
    assert.match(stage.stderr, /No versions of model with name 'churn' and stage 'Staging' found/);
    const typo = await resolve("models:/churn/Prodution");
    assert.match(typo.stderr, /Invalid Model Version stage: Prodution/);
    const malformed = await resolve("models:/a/b/c");
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /Not a proper models:\/ URI: models:\/a\/b\/c/);
    const unknown = await resolve("models:/nope/1");
    assert.match(unknown.stderr, /RESOURCE_DOES_NOT_EXIST/);
    const noServer = await runCli(["models", "resolve-uri", "models:/churn/1"], {});
    assert.equal(noServer.code, 2);
  });
});
