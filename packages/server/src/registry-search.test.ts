// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
let s: TestServer;

async function ok(method: string, path: string, body?: Record<string, unknown>) {
  const r = await s.call(method, `${API}${path}`, body);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
}

async function rejected(path: string, body: Record<string, unknown>, message?: RegExp) {
  const r = await s.call("GET", `${API}${path}`, body);
  assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
  assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE");
  if (message) assert.match(r.json.message, message);
}

const names = (json: { registered_models?: { name: string }[] }) => (json.registered_models ?? []).map((m) => m.name);
const models = async (body: Record<string, unknown>) => names(await ok("GET", "/registered-models/search", body));
const versions = async (body: Record<string, unknown>) =>
  ((await ok("GET", "/model-versions/search", body)).model_versions ?? []).map(
    (v: { name: string; version: string }) => `${v.name}/${v.version}`,
  );

let runA = "";
let runB = "";

before(async () => {
  s = await startTestServer();
  runA = (await ok("POST", "/runs/create", {})).run.info.run_id;
  runB = (await ok("POST", "/runs/create", {})).run.info.run_id;
  const create = async (name: string, tags: Record<string, string> = {}) => {
    await ok("POST", "/registered-models/create", {
      name,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
  };
  await create("churn-model", { team: "ml", tier: "gold" });
  await create("Churn-Legacy", { team: "ml", tier: "silver" });
  await create("fraud", { team: "risk", tier: "gold" });
  await create("forecast");
  await create("my-prompt", { "mlflow.prompt.is_prompt": "true" });
  const version = (name: string, source: string, run_id?: string, tags: Record<string, string> = {}) =>
    ok("POST", "/model-versions/create", {
      name,
      source,
      ...(run_id ? { run_id } : {}),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
  await version("churn-model", "s3://bucket/churn/1", runA, { quality: "good" });
  await version("churn-model", "s3://bucket/churn/2", runA);
  await version("churn-model", "s3://other/churn/3", runB, { quality: "bad" });
  await version("fraud", "s3://bucket/fraud/1", runB, { quality: "good" });
  await version("my-prompt", "s3://bucket/prompt/1", undefined, { "mlflow.prompt.is_prompt": "true" });
  // `fraud` was touched last
  await ok("PATCH", "/registered-models/update", { name: "fraud", description: "touched" });
});
after(async () => {
  await s.close();
});

describe("search registered models", () => {
  it("lists every model (prompts excluded) by name ascending by default", async () => {
    assert.deepEqual(await models({}), ["Churn-Legacy", "churn-model", "forecast", "fraud"]);
  });

  it("filters on name with =, !=, LIKE (case-sensitive) and ILIKE", async () => {
    assert.deepEqual(await models({ filter: "name = 'fraud'" }), ["fraud"]);
    assert.deepEqual(await models({ filter: "name != 'fraud'" }), ["Churn-Legacy", "churn-model", "forecast"]);
    assert.deepEqual(await models({ filter: "name LIKE 'churn%'" }), ["churn-model"]);
    assert.deepEqual(await models({ filter: "name ILIKE '%CHURN%'" }), ["Churn-Legacy", "churn-model"]);
    assert.deepEqual(await models({ filter: 'attributes.name = "forecast"' }), ["forecast"]);
  });

  it("requires every tag clause to match; OR and parentheses are supported", async () => {
    assert.deepEqual(await models({ filter: "tags.team = 'ml' AND tags.tier = 'gold'" }), ["churn-model"]);
    assert.deepEqual(await models({ filter: "tag.`tier` = 'gold'" }), ["churn-model", "fraud"]);
    assert.deepEqual(await models({ filter: "tags.team = 'risk' OR name = 'forecast'" }), ["forecast", "fraud"]);
    assert.deepEqual(await models({ filter: "tags.tier = 'gold' AND (tags.team = 'risk' OR name LIKE 'churn%')" }), [
      "churn-model",
      "fraud",
    ]);
    assert.deepEqual(await models({ filter: "tags.team != 'ml'" }), ["fraud"]);
  });

  it("shows prompts only when the filter asks for them", async () => {
    assert.deepEqual(await models({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" }), ["my-prompt"]);
    assert.deepEqual(await models({ filter: "tags.`mlflow.prompt.is_prompt` = 'false'" }), [
      "Churn-Legacy",
      "churn-model",
      "forecast",
      "fraud",
    ]);
  });

  it("orders by name or last-updated time, with name as the tie-break", async () => {
    assert.deepEqual((await models({ order_by: ["timestamp DESC"] }))[0], "fraud");
    assert.deepEqual((await models({ order_by: ["last_updated_timestamp DESC"] }))[0], "fraud");
    assert.deepEqual(await models({ order_by: ["name DESC"] }), ["fraud", "forecast", "churn-model", "Churn-Legacy"]);
  });

  it("pages with tokens, emitting one only when more rows exist", async () => {
    const first = await ok("GET", "/registered-models/search", { max_results: 3 });
    assert.deepEqual(names(first), ["Churn-Legacy", "churn-model", "forecast"]);
    assert.ok(first.next_page_token);
    const second = await ok("GET", "/registered-models/search", { max_results: 3, page_token: first.next_page_token });
    assert.deepEqual(names(second), ["fraud"]);
    assert.equal(second.next_page_token, undefined);
    const exact = await ok("GET", "/registered-models/search", { max_results: 4 });
    assert.equal(exact.next_page_token, undefined);
  });

  it("rejects invalid filters, order_by, tokens and max_results", async () => {
    await rejected("/registered-models/search", { filter: "description = 'x'" }, /Invalid attribute key 'description'/);
    await rejected("/registered-models/search", { filter: "name IN ('a', 'b')" });
    await rejected("/registered-models/search", { filter: "foo.bar = 'x'" }, /Invalid entity type 'foo'/);
    await rejected("/registered-models/search", { filter: "name = fraud" }, /not quoted/);
    await rejected("/registered-models/search", { filter: "name > 'a'" }, /Invalid comparator for attribute: >/);
    await rejected("/registered-models/search", { filter: "tags.team < 'a'" }, /Invalid comparator for tag: </);
    await rejected("/registered-models/search", { filter: "name = 'a' AND" });
    await rejected(
      "/registered-models/search",
      { order_by: ["description ASC"] },
      /Invalid order by key 'description'/,
    );
    await rejected(
      "/registered-models/search",
      { order_by: ["timestamp", "last_updated_timestamp DESC"] },
      /duplicate fields/,
    );
    await rejected("/registered-models/search", { order_by: ["name DOWN"] });
    await rejected("/registered-models/search", { page_token: "not-a-token" }, /Invalid page token/);
    await rejected("/registered-models/search", { max_results: 1001 }, /at most 1000/);
    await rejected("/registered-models/search", { max_results: 0 });
  });
});

describe("search model versions", () => {
  it("lists live versions, prompts excluded, last updated first by default", async () => {
    const all = await versions({});
    assert.equal(all.length, 4);
    assert.deepEqual(all.slice().sort(), ["churn-model/1", "churn-model/2", "churn-model/3", "fraud/1"]);
  });

  it("filters on name, version_number, run_id, source_path and tags", async () => {
    assert.deepEqual(await versions({ filter: "name = 'churn-model' AND version_number > 1" }), [
      "churn-model/3",
      "churn-model/2",
    ]);
    assert.deepEqual(await versions({ filter: "version_number = 1", order_by: ["name"] }), [
      "churn-model/1",
      "fraud/1",
    ]);
    assert.deepEqual(await versions({ filter: `run_id = '${runB}'`, order_by: ["name"] }), [
      "churn-model/3",
      "fraud/1",
    ]);
    assert.deepEqual(await versions({ filter: `run_id IN ('${runA}', 'ABC')`, order_by: ["version_number ASC"] }), [
      "churn-model/1",
      "churn-model/2",
    ]);
    assert.deepEqual(
      await versions({ filter: "source_path LIKE 's3://bucket/%'", order_by: ["name", "version_number"] }),
      ["churn-model/1", "churn-model/2", "fraud/1"],
    );
    assert.deepEqual(await versions({ filter: "tags.quality = 'good'", order_by: ["name"] }), [
      "churn-model/1",
      "fraud/1",
    ]);
    assert.deepEqual(
      await versions({
        filter: "tags.quality = 'bad' OR (name = 'fraud' AND version_number >= 1)",
        order_by: ["name"],
      }),
      ["churn-model/3", "fraud/1"],
    );
  });

  it("shows prompt versions only when the filter asks for them", async () => {
    assert.deepEqual(await versions({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" }), ["my-prompt/1"]);
  });

  it("orders by version number, creation and update time", async () => {
    assert.deepEqual(await versions({ filter: "name = 'churn-model'", order_by: ["version_number DESC"] }), [
      "churn-model/3",
      "churn-model/2",
      "churn-model/1",
    ]);
    assert.deepEqual(
      await versions({ filter: "name = 'churn-model'", order_by: ["creation_timestamp ASC", "version_number ASC"] }),
      ["churn-model/1", "churn-model/2", "churn-model/3"],
    );
  });

  it("pages with tokens", async () => {
    const first = await ok("GET", "/model-versions/search", { max_results: 3, order_by: ["name", "version_number"] });
    assert.equal(first.model_versions.length, 3);
    const second = await ok("GET", "/model-versions/search", {
      max_results: 3,
      order_by: ["name", "version_number"],
      page_token: first.next_page_token,
    });
    assert.deepEqual(
      second.model_versions.map((v: { name: string }) => v.name),
      ["fraud"],
    );
    assert.equal(second.next_page_token, undefined);
  });

  it("rejects invalid filters, order_by and max_results", async () => {
    await rejected("/model-versions/search", { filter: "name IN ('a','b')" }, /Only the 'run_id' attribute/);
    await rejected("/model-versions/search", { filter: `run_id NOT IN ('${runA}')` }, /Invalid comparator/);
    await rejected("/model-versions/search", { filter: "version_number = '1'" }, /Expected numeric value type/);
    await rejected(
      "/model-versions/search",
      { filter: "version_number LIKE 1" },
      /Invalid comparator for attribute version_number/,
    );
    await rejected("/model-versions/search", { filter: "status = 'READY'" }, /Invalid attribute key 'status'/);
    await rejected("/model-versions/search", { order_by: ["stage ASC"] }, /Invalid order by key 'stage'/);
    await rejected("/model-versions/search", { order_by: ["name", "name DESC"] }, /duplicate fields/);
    await rejected("/model-versions/search", { max_results: 200001 }, /at most 200000/);
    await rejected("/model-versions/search", { max_results: 0 }, /positive integer/);
  });
});
