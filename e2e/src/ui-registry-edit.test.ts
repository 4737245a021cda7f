// The registry pages' editors in headless Chromium against a real server: model tags, aliases
// (set, move between versions, remove), version tags, stage transitions with "archive existing",
// delete version, rename and delete model, the compare link, and versions not made from a run.
// Every change is checked through the REST API too. No console errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

describe("web UI: registry editors (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;
  let expId: string;
  let run1: string;
  let run2: string;
  const MODEL = "fraud-detector";
  const failed: string[] = [];

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    expId = await client.createExperiment("fraud");
    run1 = (await client.createRun(expId, { runName: "gbm-1" })).info.run_id;
    run2 = (await client.createRun(expId, { runName: "gbm-2" })).info.run_id;
    await client.createRegisteredModel(MODEL, { description: "Card fraud", tags: { team: "risk", owner: "alice" } });
    await client.createModelVersion(MODEL, `runs:/${run1}/model`, { runId: run1 });
    await client.createModelVersion(MODEL, `runs:/${run2}/model`, { runId: run2, tags: { validated: "yes" } });
    await client.createModelVersion(MODEL, `runs:/${run2}/model`, { runId: run2 });
    await client.setRegisteredModelAlias(MODEL, "champion", 1);
    await client.transitionModelVersionStage(MODEL, 1, "Production");
    await client.createRegisteredModel("scratch-model");
    await client.createModelVersion("scratch-model", `runs:/${run1}/model`, { runId: run1 });
    // versions not made from a run: one under the artifact proxy with an MLmodel, one without,
    // one at a location the browser cannot list
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/standalone/with/MLmodel`, {
      method: "PUT",
      body: "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n",
    });
    assert.ok(put.ok, `upload: ${put.status}`);
    await client.createRegisteredModel("standalone");
    await client.createModelVersion("standalone", "mlflow-artifacts:/standalone/with");
    await client.createModelVersion("standalone", "mlflow-artifacts:/standalone/without");
    await client.createModelVersion("standalone", "s3://models-bucket/nowhere");
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = (hash: string) => page.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, [], failed.join("\n"));
  /** An expected failed request shows in the console as "Failed to load resource"; take it out. */
  const expectFailedRequest = (status: number) => {
    const i = errors.findIndex((e) => e.includes(`status of ${status}`));
    assert.ok(i >= 0, `a ${status} in the console: ${JSON.stringify(errors)}`);
    errors.splice(i, 1);
  };
  const tagMap = (tags: { key: string; value?: string }[] | undefined) =>
    Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

  it("model tags: add, edit a value, delete", async () => {
    await go(`/models/${MODEL}`);
    const tags = page.getByTestId("model-tags");
    await tags.locator('[data-testid="tag-row"][data-key="owner"]').getByText("alice").waitFor();
    await tags.getByLabel("Tag key").fill("gate");
    await tags.getByLabel("Tag value").fill("passed");
    await tags.getByRole("button", { name: "Add tag" }).click();
    await tags.locator('[data-testid="tag-row"][data-key="gate"]').getByText("passed").waitFor();
    assert.equal(tagMap((await client.getRegisteredModel(MODEL)).tags).gate, "passed");

    await tags.getByRole("button", { name: "Edit tag owner" }).click();
    await tags.getByLabel("Value of owner").fill("bob");
    await tags.getByLabel("Value of owner").press("Enter");
    await tags.locator('[data-testid="tag-row"][data-key="owner"]').getByText("bob").waitFor();
    assert.equal(tagMap((await client.getRegisteredModel(MODEL)).tags).owner, "bob");

    await tags.getByRole("button", { name: "Delete tag team" }).click();
    await tags.locator('[data-testid="tag-row"][data-key="team"]').waitFor({ state: "detached" });
    assert.deepEqual(tagMap((await client.getRegisteredModel(MODEL)).tags), { owner: "bob", gate: "passed" });
    noErrors();
  });

  it("aliases on the versions table: set, move between versions (warned), reserved name refused", async () => {
    await go(`/models/${MODEL}`);
    const row = (v: number) => page.locator(`[data-testid="version-row"][data-version="${v}"]`);
    await row(1).getByText("@champion").waitFor();
    // the version's tags show in the table
    await row(2).getByTestId("version-tags").getByText("validated=yes").waitFor();

    await row(2).getByRole("button", { name: "Edit aliases of version 2" }).click();
    const dialog = page.getByRole("dialog", { name: "Aliases of version 2" });
    await dialog.getByLabel("New alias").fill("champion");
    await dialog
      .getByTestId("alias-move-warning")
      .getByText("@champion is on version 1; adding it here moves it from version 1.")
      .waitFor();
    await dialog.getByRole("button", { name: "Move alias here" }).click();
    await dialog.getByTestId("alias").getByText("@champion").waitFor();
    assert.equal((await client.getModelVersionByAlias(MODEL, "champion")).version, "2");

    await dialog.getByLabel("New alias").fill("challenger");
    await dialog.getByLabel("New alias").press("Enter");
    await dialog.getByTestId("alias").getByText("@challenger").waitFor();
    assert.equal((await client.getModelVersionByAlias(MODEL, "challenger")).version, "2");

    // a reserved name: the server's message inline
    await dialog.getByLabel("New alias").fill("v3");
    await dialog.getByRole("button", { name: "Add alias" }).click();
    await dialog.getByTestId("alias-error").getByText("Version alias name 'v3' is reserved.").waitFor();
    expectFailedRequest(400);

    await dialog.getByRole("button", { name: "Remove alias @challenger" }).click();
    await dialog.getByTestId("alias").getByText("@challenger").waitFor({ state: "detached" });
    await page.keyboard.press("Escape");
    await row(2).getByText("@champion").waitFor();
    assert.equal(await row(1).getByText("@champion").count(), 0);
    const aliases = (await client.getRegisteredModel(MODEL)).aliases ?? [];
    assert.deepEqual(
      aliases.map((a) => [a.alias, String(a.version)]),
      [["champion", "2"]],
    );
    noErrors();
  });

  it("version tags from the versions table and from the version page", async () => {
    await go(`/models/${MODEL}`);
    const row = page.locator('[data-testid="version-row"][data-version="3"]');
    await row.getByRole("button", { name: "Edit tags of version 3" }).click();
    const dialog = page.getByRole("dialog", { name: "Tags of version 3" });
    await dialog.getByLabel("Tag key").fill("dataset");
    await dialog.getByLabel("Tag value").fill("2026-q1");
    await dialog.getByRole("button", { name: "Add tag" }).click();
    await dialog.locator('[data-testid="tag-row"][data-key="dataset"]').waitFor();
    await page.keyboard.press("Escape");
    await row.getByTestId("version-tags").getByText("dataset=2026-q1").waitFor();
    assert.equal(tagMap((await client.getModelVersion(MODEL, 3)).tags).dataset, "2026-q1");

    await go(`/models/${MODEL}/versions/3`);
    const tags = page.getByTestId("version-tags");
    await tags.getByRole("button", { name: "Edit tag dataset" }).click();
    await tags.getByLabel("Value of dataset").fill("2026-q2");
    await tags.getByRole("button", { name: "Save" }).click();
    await tags.locator('[data-testid="tag-row"][data-key="dataset"]').getByText("2026-q2").waitFor();
    await tags.getByRole("button", { name: "Delete tag dataset" }).click();
    await tags.getByText("No tags.").waitFor();
    assert.deepEqual(tagMap((await client.getModelVersion(MODEL, 3)).tags), {});
    noErrors();
  });

  it("version page: aliases editor moves an alias, stage transition archives the others", async () => {
    await go(`/models/${MODEL}/versions/3`);
    const aliases = page.getByTestId("aliases-editor");
    await aliases.getByText("No aliases.").waitFor();
    await aliases.getByLabel("New alias").fill("champion");
    await aliases
      .getByTestId("alias-move-warning")
      .getByText(/moves it from version 2/)
      .waitFor();
    await aliases.getByRole("button", { name: "Move alias here" }).click();
    await aliases.getByTestId("alias").getByText("@champion").waitFor();
    assert.equal((await client.getModelVersionByAlias(MODEL, "champion")).version, "3");
    // the usage snippet follows
    await page.getByTestId("model-alias-uri").getByText(`models:/${MODEL}@champion`).waitFor();

    await page.locator('input[aria-label="Stage"]').click();
    await page.getByRole("option", { name: "Production" }).click();
    const dialog = page.getByRole("dialog", { name: "Stage transition" });
    await dialog.getByText("from None to Production", { exact: false }).waitFor();
    await dialog.getByLabel("Transition existing Production versions to Archived").check();
    await dialog.getByRole("button", { name: "Transition" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("audit-table").getByText("None → Production").waitFor();
    assert.equal((await client.getModelVersion(MODEL, 3)).current_stage, "Production");
    assert.equal((await client.getModelVersion(MODEL, 1)).current_stage, "Archived");

    // Cancel leaves the stage alone
    await page.locator('input[aria-label="Stage"]').click();
    await page.getByRole("option", { name: "Staging" }).click();
    await page.getByRole("dialog", { name: "Stage transition" }).getByRole("button", { name: "Cancel" }).click();
    assert.equal((await client.getModelVersion(MODEL, 3)).current_stage, "Production");
    assert.equal(await page.locator('input[aria-label="Stage"]').inputValue(), "Production");
    noErrors();
  });

  it("compare versions links to the source runs' compare page", async () => {
    await go(`/models/${MODEL}`);
    const compare = page.getByRole("button", { name: /^Compare/ });
    assert.equal(await compare.isDisabled(), true);
    await page.getByLabel("Select version 1").check();
    await page.getByLabel("Select version 2").check();
    await compare.click();
    await page.waitForURL(/compare-runs/);
    const hash = decodeURIComponent(new URL(page.url()).hash);
    assert.equal(hash, `#/compare-runs?runs=${JSON.stringify([run2, run1])}&experiments=${JSON.stringify([expId])}`);
    await page
      .getByText(/not found/i)
      .first()
      .waitFor(); // the compare page is not built yet
    noErrors();
  });

  it("delete version with confirmation, back to the model page", async () => {
    await go(`/models/${MODEL}/versions/1`);
    await page.getByRole("button", { name: "Delete version" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete version 1" });
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(new RegExp(`#/models/${MODEL}$`));
    await page.locator('[data-testid="version-row"][data-version="2"]').waitFor();
    assert.equal(await page.locator('[data-testid="version-row"][data-version="1"]').count(), 0);
    await assert.rejects(client.getModelVersion(MODEL, 1), /RESOURCE_DOES_NOT_EXIST|not found/i);
    noErrors();
  });

  it("rename the model, then delete it after typing its name", async () => {
    await go(`/models/${MODEL}`);
    await page.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename model" });
    await rename.getByLabel("New name").fill("fraud-detector-v2");
    await rename.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "fraud-detector-v2" }).waitFor();
    assert.match(decodeURIComponent(page.url()), /#\/models\/fraud-detector-v2$/);
    assert.equal((await client.getRegisteredModel("fraud-detector-v2")).name, "fraud-detector-v2");
    await page.locator('[data-testid="version-row"][data-version="3"]').waitFor();

    // a name taken by another model: the server's message in the form
    await page.getByRole("button", { name: "Rename" }).click();
    await rename.getByLabel("New name").fill("scratch-model");
    await rename.getByRole("button", { name: "Save" }).click();
    await rename.getByText(/already exists/).waitFor();
    expectFailedRequest(400);
    await rename.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Delete model" }).click();
    const del = page.getByRole("dialog", { name: "Delete model fraud-detector-v2" });
    const confirm = del.getByRole("button", { name: "Delete" });
    assert.equal(await confirm.isDisabled(), true);
    await del.getByLabel('Type "fraud-detector-v2" to confirm').fill("fraud-detector");
    assert.equal(await confirm.isDisabled(), true);
    await del.getByLabel('Type "fraud-detector-v2" to confirm').fill("fraud-detector-v2");
    await confirm.click();
    await page.waitForURL(/#\/models$/);
    await page.getByRole("link", { name: "scratch-model" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "fraud-detector-v2" }).count(), 0);
    await assert.rejects(client.getRegisteredModel("fraud-detector-v2"), /RESOURCE_DOES_NOT_EXIST|not found/i);
    noErrors();
  });

  it("versions not made from a run: schema when the proxy lists an MLmodel, no 404 otherwise", async () => {
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await go("/models/standalone/versions/1");
    await page.getByText("python_function", { exact: true }).waitFor();
    await go("/models/standalone/versions/2");
    await page
      .getByTestId("signature-empty")
      .getByText(/No MLmodel file/)
      .waitFor();
    await go("/models/standalone/versions/3");
    await page
      .getByTestId("signature-empty")
      .getByText(/No MLmodel file/)
      .waitFor();
    const fetched = requests.filter((u) => u.includes("/model-versions/get-artifact"));
    assert.equal(fetched.length, 1, fetched.join("\n"));
    assert.match(fetched[0] ?? "", /version=1/);
    noErrors();
  });
});
