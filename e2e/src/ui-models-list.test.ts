// The registered models list in headless Chromium against a real server: MLflow's columns (latest
// version, Staging/Production, aliased versions, created by when the server sends it, last
// modified, tags), server-side sort, paging and the empty states. No console errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

describe("web UI: registered models list (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    const exp = await client.createExperiment("models-list");
    const run = (await client.createRun(exp)).info.run_id;
    await client.createRegisteredModel("alpha", { tags: { team: "risk", tier: "1", owner: "ana", region: "eu" } });
    for (let i = 0; i < 3; i++) await client.createModelVersion("alpha", `runs:/${run}/model`, { runId: run });
    await client.transitionModelVersionStage("alpha", 1, "Production");
    await client.transitionModelVersionStage("alpha", 2, "Staging");
    await client.setRegisteredModelAlias("alpha", "champion", 3);
    await client.setRegisteredModelAlias("alpha", "challenger", 2);
    // 101 more, so the list has a second page
    for (let i = 0; i < 101; i++) await client.createRegisteredModel(`bulk-${String(i).padStart(3, "0")}`);
    browser = await launch();
    ({ page, errors } = await openPage(browser, { height: 900 }));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = (hash: string) => page.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, []);
  const headers = () => page.getByTestId("models-table").locator("thead th").allTextContents();
  const names = () => page.getByTestId("model-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")));

  it("columns: latest version, stages, aliased versions, last modified, tags", async () => {
    await go("/models");
    const alpha = page.locator('[data-testid="model-row"][data-name="alpha"]');
    await alpha.waitFor();
    assert.deepEqual(await headers(), [
      "Name ↑",
      "Latest version",
      "Staging",
      "Production",
      "Aliased versions",
      "Last modified",
      "Tags",
    ]);
    assert.equal(await alpha.getByRole("cell").nth(1).textContent(), "Version 3");
    assert.equal(await alpha.getByTestId("stage-Staging").textContent(), "Version 2");
    assert.equal(await alpha.getByTestId("stage-Production").textContent(), "Version 1");
    assert.deepEqual(await alpha.getByTestId("model-aliases").locator("a").allTextContents(), [
      "@challenger · v2",
      "@champion · v3",
    ]);
    // three tags shown (in key order), the fourth behind "+1"
    assert.deepEqual(await alpha.getByTestId("model-tags").locator(".mantine-Badge-root").allTextContents(), [
      "owner: ana",
      "region: eu",
      "team: risk",
    ]);
    await alpha.getByTestId("model-tags").getByText("+1").waitFor();
    const modified = (await client.getRegisteredModel("alpha")).last_updated_timestamp;
    assert.match((await alpha.textContent()) ?? "", new RegExp(new Date(Number(modified)).getFullYear().toString()));

    await alpha.getByRole("link", { name: "@champion · v3" }).click();
    await page.waitForURL(/#\/models\/alpha\/versions\/3$/);
    noErrors();
  });

  it("sorts on the server by name or last modified, pages with Load more", async () => {
    await go("/models");
    await page.locator('[data-testid="model-row"][data-name="alpha"]').waitFor();
    assert.equal((await names()).length, 100);
    await page.getByRole("button", { name: "Load more" }).click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="model-row"]').length === 102`);
    assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);

    await client.updateRegisteredModel("bulk-050", "touched"); // now the last modified
    await page.getByRole("columnheader", { name: /Last modified/ }).click();
    await page.waitForURL(/orderByKey=last_updated_timestamp/);
    await page.waitForFunction(
      `document.querySelector('[data-testid="model-row"]')?.getAttribute("data-name") === "bulk-050"`,
    );
    const rest = await client.searchRegisteredModels({ orderBy: ["last_updated_timestamp DESC"], maxResults: 5 });
    assert.deepEqual(
      (await names()).slice(0, 5),
      rest.items.map((m) => m.name),
    );
    await page.getByRole("columnheader", { name: /Name/ }).click();
    await page.waitForFunction(
      `document.querySelector('[data-testid="model-row"]')?.getAttribute("data-name") === "alpha"`,
    );
    await page.getByRole("columnheader", { name: /Name/ }).click();
    await page.waitForFunction(
      `document.querySelector('[data-testid="model-row"]')?.getAttribute("data-name") === "bulk-100"`,
    );
    noErrors();
  });

  it("shows Created by when the server sends a model's user_id", async () => {
    // MLflow's REST API leaves registered_model.user_id empty (so does this server); a server that
    // fills it gets the column
    const search = (url: URL) => url.pathname.endsWith("/registered-models/search");
    await page.route(search, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { registered_models?: { name: string; user_id?: string }[] };
      for (const m of body.registered_models ?? []) if (m.name === "alpha") m.user_id = "ana@example.com";
      await route.fulfill({ response: res, json: body });
    });
    try {
      await go("/models?searchInput=alp");
      const alpha = page.locator('[data-testid="model-row"][data-name="alpha"]');
      await alpha.getByRole("cell", { name: "ana@example.com" }).waitFor();
      assert.ok((await headers()).includes("Created by"));
    } finally {
      await page.unroute(search);
    }
    await page.reload(); // a fresh page: the altered response is still in the query cache

    await page.locator('[data-testid="model-row"][data-name="alpha"]').waitFor();
    assert.ok(!(await headers()).includes("Created by"), "no empty column without the data");
    noErrors();
  });

  it("says when nothing matches", async () => {
    await go("/models?searchInput=no-such-model");
    await page.getByText("No registered model matches “no-such-model”.").waitFor();
    noErrors();
  });
});
