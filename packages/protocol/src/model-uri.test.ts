import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MlflowError } from "./mlflow-error.js";
import { type ModelUriLookups, parseModelUri, parseRunsUri, resolveArtifactUri } from "./model-uri.js";
import type { ModelVersion } from "./registry-entities.js";

describe("parseModelUri", () => {
  it("reads the four registry forms", () => {
    assert.deepEqual(parseModelUri("models:/churn/3"), { kind: "version", name: "churn", version: "3" });
    assert.deepEqual(parseModelUri("models:/churn/Production"), { kind: "stage", name: "churn", stage: "Production" });
    assert.deepEqual(parseModelUri("models:/churn/LATEST"), { kind: "latest", name: "churn" });
    assert.deepEqual(parseModelUri("models:/churn@champion"), { kind: "alias", name: "churn", alias: "champion" });
    assert.deepEqual(parseModelUri("models:/a@b@c"), { kind: "alias", name: "a@b", alias: "c" });
    assert.deepEqual(parseModelUri("models://profile/churn/1"), { kind: "version", name: "churn", version: "1" });
  });

  it("rejects malformed URIs with MLflow's message", () => {
    for (const uri of [
      "models:/a/b/c",
      "models:/",
      "models:",
      "models:/churn",
      "models:/churn/",
      "models:/@x",
      "models:/x@",
      "runs:/a/b",
      "s3://x",
    ]) {
      assert.throws(
        () => parseModelUri(uri),
        (e: unknown) =>
          e instanceof MlflowError &&
          e.errorCode === "INVALID_PARAMETER_VALUE" &&
          e.message.startsWith(`Not a proper models:/ URI: ${uri}.`),
        uri,
      );
    }
  });
});

describe("parseRunsUri", () => {
  it("splits run id and path", () => {
    assert.deepEqual(parseRunsUri("runs:/abc/model/MLmodel"), { runId: "abc", path: "model/MLmodel" });
    assert.deepEqual(parseRunsUri("runs:/abc"), { runId: "abc", path: "" });
    assert.throws(() => parseRunsUri("runs:/"), MlflowError);
  });
});

describe("resolveArtifactUri", () => {
  const mv = (version: string): ModelVersion => ({ name: "m", version, current_stage: "None", status: "READY" });
  const lookups: ModelUriLookups = {
    getModelVersionDownloadUri: async (_name, version) => (version === "2" ? "runs:/r1/model" : `s3://b/v${version}`),
    getLatestVersions: async (_name, stages) =>
      stages.length === 0 ? [mv("1"), mv("3"), mv("2")] : stages[0] === "Staging" ? [] : [mv("1")],
    getModelVersionByAlias: async () => mv("2"),
    getRunArtifactUri: async (runId) => `s3://runs/${runId}/artifacts`,
  };

  it("resolves versions, stages, latest, aliases and runs:/", async () => {
    assert.deepEqual(await resolveArtifactUri("models:/m/1", lookups), {
      uri: "models:/m/1",
      name: "m",
      version: "1",
      artifact_uri: "s3://b/v1",
    });
    assert.equal((await resolveArtifactUri("models:/m/latest", lookups)).version, "3");
    assert.equal((await resolveArtifactUri("models:/m/Production", lookups)).artifact_uri, "s3://b/v1");
    // a version registered from runs:/ downloads through its run
    assert.equal((await resolveArtifactUri("models:/m@x", lookups)).artifact_uri, "s3://runs/r1/artifacts/model");
    assert.equal((await resolveArtifactUri("runs:/r9/a/b", lookups)).artifact_uri, "s3://runs/r9/artifacts/a/b");
    assert.equal((await resolveArtifactUri("s3://plain", lookups)).artifact_uri, "s3://plain");
    await assert.rejects(
      resolveArtifactUri("models:/m/Staging", lookups),
      /No versions of model with name 'm' and stage 'Staging' found/,
    );
  });
});
