// The web UI in headless Chromium against a real server with seeded data: every page, no console errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

describe("web UI pages (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;
  let expId: string;
  let runId: string;
  const runIds: string[] = [];

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    expId = await client.createExperiment("team/vision/resnet", { tags: { "mlflow.note.content": "ImageNet sweeps" } });
    await client.createExperiment("churn-model");
    const old = await client.createExperiment("old-experiment");
    await client.deleteExperiment(old);
    for (let i = 0; i < 30; i++) {
      const run = await client.createRun(expId, { runName: `run-${String(i).padStart(2, "0")}` });
      runIds.push(run.info.run_id);
      await client.logBatch(run.info.run_id, {
        metrics: [
          { key: "accuracy", value: 0.5 + i / 100, step: 0 },
          { key: "accuracy", value: 0.6 + i / 100, step: 1 },
          { key: "loss", value: 2 - i / 20, step: 0 },
        ],
        params: [
          { key: "lr", value: String(0.001 * (i + 1)) },
          { key: "optimizer", value: i % 2 ? "adam" : "sgd" },
        ],
        tags: [{ key: "team", value: "vision" }],
      });
      await client.setTerminated(run.info.run_id);
    }
    runId = runIds[29] as string;
    await client.setTag(runId, "mlflow.note.content", "Best run so far");
    await client.logText(runId, "hello artifact", "notes.txt");
    await client.logDict(runId, { layers: 50, dropout: 0.1 }, "config/model.json");
    await client.logText(runId, 'name,score\nalpha,1\n"b,eta",2\n', "data/sample.csv");
    await client.logText(runId, "<h1>Report</h1><script>document.title='pwned'</script>", "report.html");
    await client.recordLoggedModel(runId, {
      run_id: runId,
      artifact_path: "model",
      flavors: { sklearn: {} },
      utc_time_created: "2026-01-01 00:00:00.000000",
    });
    await client.createRun(expId, { runName: "child-of-29", tags: { "mlflow.parentRunId": runId } });
    await client.createRegisteredModel("resnet-classifier", { description: "Image classifier" });
    await client.createModelVersion("resnet-classifier", `runs:/${runId}/model`, { runId });
    await client.setRegisteredModelAlias("resnet-classifier", "champion", 1);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = (hash: string) => page.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, []);

  it("experiments list: search, create, rename, delete, restore", async () => {
    await go("/experiments");
    await page.getByText("team/vision/").first().waitFor();
    assert.equal(await page.getByTestId("experiment-row").count(), 3); // Default, churn-model, resnet
    await page.keyboard.press("/");
    await page.keyboard.type("churn");
    await page.keyboard.press("Enter");
    await page.waitForFunction("document.querySelectorAll('[data-testid=\"experiment-row\"]').length === 1");
    assert.match(page.url(), /search=churn/);

    await page.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("dialog", { name: "Create experiment" }).getByRole("textbox").fill("churn-v2");
    await page.getByRole("dialog", { name: "Create experiment" }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "churn-v2" }).waitFor();

    const row = page.getByTestId("experiment-row").filter({ hasText: "churn-v2" });
    await row.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("dialog", { name: "Rename experiment" }).getByRole("textbox").fill("churn-v3");
    await page.getByRole("dialog", { name: "Rename experiment" }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "churn-v3" }).waitFor();

    await page
      .getByTestId("experiment-row")
      .filter({ hasText: "churn-v3" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.getByRole("link", { name: "churn-v3" }).waitFor({ state: "detached" });
    await page.getByText("Deleted", { exact: true }).click();
    await page.getByRole("link", { name: "churn-v3" }).waitFor();
    await page
      .getByTestId("experiment-row")
      .filter({ hasText: "churn-v3" })
      .getByRole("button", { name: "Restore" })
      .click();
    await page.getByRole("link", { name: "churn-v3" }).waitFor({ state: "detached" });
    const restored = await client.getExperimentByName("churn-v3");
    assert.equal(restored?.lifecycle_stage, "active");

    await go("/experiments");
    await page.getByText("Tree", { exact: true }).click();
    await page.getByTestId("folder-row").filter({ hasText: "team" }).waitFor();
    assert.deepEqual(
      (await page.getByTestId("folder-row").allTextContents()).map((t) => t.replace(/[^a-z0-9() ]/g, "").trim()),
      ["team (1)", "vision (1)"],
    );
    await page.getByRole("link", { name: "resnet", exact: true }).waitFor();
    await page.getByTestId("folder-row").filter({ hasText: "team" }).getByRole("button").click();
    await page.getByRole("link", { name: "resnet", exact: true }).waitFor({ state: "detached" });
    await page.getByText("List", { exact: true }).click();
    noErrors();
  });

  it("runs table: rows, metric and param columns, server-side sort, filter errors, URL state", async () => {
    await go(`/experiments/${expId}`);
    await page.getByText("run-29").waitFor();
    assert.match((await page.getByTestId("run-count").textContent()) ?? "", /^31 runs/);
    const headers = await page.getByTestId("column-header").allTextContents();
    for (const h of ["accuracy", "loss", "lr", "optimizer"])
      assert.ok(
        headers.some((x) => x.includes(h)),
        `${h} in ${headers}`,
      );

    await page.getByTestId("column-header").filter({ hasText: "loss" }).click(); // DESC on loss: run-00 first
    await page.waitForFunction('document.querySelector(\'[data-testid="run-row"]\')?.textContent?.includes("run-00")');
    assert.match(decodeURIComponent(page.url()), /orderByKey=metrics\.`loss`/);

    const search = page.locator('input[aria-label="Search runs"]');
    await search.fill("");
    await search.pressSequentially("metrics.acc");
    await page.getByRole("option", { name: "metrics.accuracy" }).waitFor();
    await search.press("Enter");
    assert.equal(await search.inputValue(), "metrics.accuracy");
    await search.pressSequentially(" > 0.88");
    await search.press("Enter");
    await page.waitForFunction("document.querySelectorAll('[data-testid=\"run-row\"]').length === 1");

    await search.fill("metrics.accuracy > 0.85 and params.optimizer = 'adam'");
    await search.press("Enter");
    await page.waitForFunction("document.querySelectorAll('[data-testid=\"run-row\"]').length === 2");
    assert.match(page.url(), /searchFilter=/);

    await search.fill("metrics.accuracy >>> 1");
    await search.press("Enter");
    await page.locator(".mantine-Autocomplete-error").waitFor();
    assert.equal(await page.getByTestId("run-row").count(), 0);
    errors.splice(0); // the failed search is a 400 the browser logs as a resource error
    noErrors();
  });

  it("runs table: select with the keyboard and delete, then restore from the deleted view", async () => {
    await go(`/experiments/${expId}?searchFilter=${encodeURIComponent("attributes.run_name = 'run-03'")}`);
    await page.getByText("run-03").waitFor();
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    await page.getByRole("button", { name: "Add tag" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a tag to 1 run" });
    await dialog.getByRole("textbox").fill("reviewed=yes");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const tagged = await client.getRun(runIds[3] as string);
    assert.equal(tagged.data.tags?.find((t) => t.key === "reviewed")?.value, "yes");
    await page.getByRole("checkbox", { name: "Select run" }).check();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByText("No runs match.").waitFor();
    await page.getByText("Deleted", { exact: true }).click();
    await page.getByText("run-03").waitFor();
    await page.getByRole("checkbox", { name: "Select run" }).check();
    await page.getByRole("button", { name: "Restore" }).click();
    await page.getByText("No runs match.").waitFor();
    assert.equal((await client.getRun(runIds[3] as string)).info.lifecycle_stage, "active");
    noErrors();
  });

  it("runs table: nested runs expand under their parent, pins persist, time-created preset", async () => {
    const nested = await client.createExperiment("nested");
    const parent = await client.createRun(nested, { runName: "parent-run", startTime: Date.now() - 5000 });
    for (const name of ["child-a", "child-b"])
      await client.createRun(nested, { runName: name, tags: { "mlflow.parentRunId": parent.info.run_id } });
    await client.createRun(nested, { runName: "solo", startTime: Date.now() + 1000 });
    await go(`/experiments/${nested}`);
    await page.getByText("parent-run").waitFor();
    const names = async () => (await page.locator('[data-testid="run-row"] .run-link').allTextContents()).join(",");
    assert.equal(await names(), "solo,parent-run");
    await page.getByRole("button", { name: "Expand child runs" }).click();
    await page.getByText("child-a").waitFor();
    assert.match(await names(), /^solo,parent-run,child-[ab],child-[ab]$/);
    await page.getByRole("button", { name: "Collapse child runs" }).click();
    await page.getByText("child-a").waitFor({ state: "detached" });

    await page.getByTestId("run-row").filter({ hasText: "parent-run" }).hover();
    await page
      .getByTestId("run-row")
      .filter({ hasText: "parent-run" })
      .getByRole("button", { name: "Pin run" })
      .click();
    assert.equal(await names(), "parent-run,solo");
    await page.reload();
    await page.getByText("solo").waitFor();
    assert.equal(await names(), "parent-run,solo");

    await page.locator('input[aria-label="Time created"]').click();
    await page.getByRole("option", { name: "Last hour" }).click();
    await page.waitForURL(/startTime=LAST_HOUR/);
    await page.getByText("solo").waitFor();
    noErrors();
  });

  it("run page: details, metrics with latest/min/max, params, tags, description edit", async () => {
    await go(`/experiments/${expId}/runs/${runId}`);
    await page.getByRole("heading", { name: "run-29" }).waitFor();
    await page.getByText("Best run so far").waitFor();
    const metrics = page.getByTestId("metrics-table");
    const accuracy = metrics.getByRole("row").filter({ hasText: "accuracy" });
    await accuracy.getByText("0.79").waitFor(); // min
    // latest, its step, min, max, points
    assert.match((await accuracy.textContent()) ?? "", /accuracy0\.8910\.790\.892/);
    assert.match((await page.getByTestId("params-table").textContent()) ?? "", /optimizeradam/);
    assert.match((await page.getByTestId("run-tags").textContent()) ?? "", /teamvision/);

    const note = [
      "Promoted to **staging**.",
      "",
      "- [notes](https://example.invalid/notes)",
      "- second item",
      "",
      "| lr | acc |",
      "|---|---|",
      "| 0.01 | 0.89 |",
      "",
      '<img src="x" onerror="window.__mlflowtsXss = 1">',
    ].join("\n");
    await page.getByRole("button", { name: "Edit description" }).click();
    await page.getByLabel("Description").fill(note);
    await page.getByRole("button", { name: "Save" }).click();
    // rendered as markdown: bold, a list with a link that opens in a new tab, a GFM table
    const description = page.getByTestId("description");
    await description.locator("strong", { hasText: "staging" }).waitFor();
    assert.equal(await description.locator("li").count(), 2);
    assert.equal(await description.getByRole("link", { name: "notes" }).getAttribute("target"), "_blank");
    assert.equal(await description.locator("td").first().textContent(), "0.01");
    // raw HTML is not rendered, so its handler never runs
    assert.equal(await description.locator("img").count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __mlflowtsXss?: number }).__mlflowtsXss), undefined);
    const run = await client.getRun(runId);
    assert.equal(run.data.tags?.find((t) => t.key === "mlflow.note.content")?.value, note);
    noErrors();
  });

  it("run page: rename, child runs, logged model registered from the page", async () => {
    await go(`/experiments/${expId}/runs/${runId}`);
    await page.getByTestId("child-runs").getByText("child-of-29").waitFor();
    await page.getByTestId("logged-models").getByRole("button", { name: "Register model" }).click();
    const dialog = page.getByRole("dialog", { name: "Register model" });
    await dialog.getByRole("textbox").fill("from-ui");
    await dialog.getByRole("button", { name: "Register" }).click();
    await page.getByRole("link", { name: "from-ui v1" }).waitFor();
    const mv = await client.getModelVersion("from-ui", 1);
    assert.equal(mv.run_id, runId);

    const other = runIds[1] as string;
    await go(`/experiments/${expId}/runs/${other}`);
    await page.getByRole("heading", { name: "run-01" }).waitFor();
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("dialog", { name: "Rename run" }).getByRole("textbox").fill("run-01-renamed");
    await page.getByRole("dialog", { name: "Rename run" }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "run-01-renamed" }).waitFor();
    assert.equal((await client.getRun(other)).info.run_name, "run-01-renamed");
    noErrors();
  });

  it("artifact browser: lazy tree, text and JSON previews, deep links", async () => {
    await go(`/experiments/${expId}/runs/${runId}/artifacts`);
    await page.getByText("notes.txt").click();
    await page.getByTestId("artifact-preview").getByText("hello artifact").waitFor();
    assert.match(page.url(), /artifacts\/notes\.txt$/);
    await page.getByText("config").click();
    await page.getByText("model.json").click();
    await page.getByTestId("artifact-preview").getByText('"layers": 50').waitFor();
    await go(`/experiments/${expId}/runs/${runId}/artifacts/config/model.json`);
    await page.getByTestId("artifact-preview").getByText('"dropout": 0.1').waitFor();
    await go(`/experiments/${expId}/runs/${runId}/artifactPath/notes.txt`); // MLflow's legacy link
    await page.getByTestId("artifact-preview").getByText("hello artifact").waitFor();
    assert.match(page.url(), /\/artifacts\/notes\.txt$/);
    await page
      .getByTestId("artifact-node")
      .filter({ hasText: /^▸data$/ })
      .click();
    await page.getByText("sample.csv").click();
    await page.getByTestId("artifact-table").getByRole("cell", { name: "b,eta" }).waitFor();
    await page.getByText("report.html").click();
    const frame = page.frameLocator('[data-testid="artifact-html"]');
    await frame.getByRole("heading", { name: "Report" }).waitFor();
    assert.notEqual(await page.title(), "pwned");
    noErrors();
  });

  it("follows the OS color scheme and redirects /#/runs/:id to the full run route", async () => {
    const dark = await openPage(browser, { colorScheme: "dark" });
    try {
      await dark.page.goto(`${server.url}/#/runs/${runId}`);
      await dark.page.waitForURL(new RegExp(`#/experiments/${expId}/runs/${runId}$`));
      await dark.page.getByRole("heading", { name: "run-29" }).waitFor();
      assert.equal(await dark.page.locator("html").getAttribute("data-mantine-color-scheme"), "dark");
      await dark.page.goto(`${server.url}/#/no/such/page`);
      await dark.page.getByText("Page not found.").waitFor();
      assert.deepEqual(dark.errors, []);
    } finally {
      await dark.page.context().close();
    }
    assert.equal(await page.locator("html").getAttribute("data-mantine-color-scheme"), "light");
  });

  it("model registry: models list, model page, version page with source run link", async () => {
    await go("/models");
    await page.getByRole("link", { name: "resnet-classifier" }).click();
    await page.getByText("Image classifier").waitFor();
    assert.equal(await page.getByTestId("version-row").count(), 1);
    await page.getByText("@champion").first().waitFor();
    await page.getByRole("link", { name: "Version 1" }).click();
    await page.getByText("No webhooks.", { exact: false }).waitFor();
    await page.locator('input[aria-label="Stage"]').click();
    await page.getByRole("option", { name: "Staging" }).click();
    await page.getByRole("dialog", { name: "Stage transition" }).getByRole("button", { name: "Transition" }).click();
    await page.getByTestId("audit-table").getByText("None → Staging").waitFor();
    assert.equal((await client.getModelVersion("resnet-classifier", 1)).current_stage, "Staging");
    await page.getByRole("button", { name: "Edit description" }).click();
    await page.getByLabel("Description").fill("Ready for canary");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("description").getByText("Ready for canary").waitFor();
    assert.equal((await client.getModelVersion("resnet-classifier", 1)).description, "Ready for canary");
    await page.getByTestId("version-details").getByRole("link", { name: runId }).click();
    await page.getByRole("heading", { name: "run-29" }).waitFor();
    assert.match(page.url(), new RegExp(`/experiments/${expId}/runs/${runId}$`));
    noErrors();
  });
});
