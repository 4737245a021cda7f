// The runs table's quick run-name search and the runs of several experiments in one table
// (`/#/compare-experiments/s?experiments=[...]`), in headless Chromium against a real server.
// No console errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

describe("web UI: quick search and several experiments (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = (hash: string) => page.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, []);
  /** Waits until the table shows exactly these run names (sorted, comma-joined). */
  const waitNames = (expected: string) =>
    page.waitForFunction(
      `[...document.querySelectorAll('[data-testid="run-row"] .run-link')].map((e) => e.textContent).sort().join(",") === ${JSON.stringify(expected)}`,
    );
  const searchParam = () => new URL(page.url().replace("/#/", "/")).searchParams.get("searchFilter");

  it("text that is not a filter expression searches run names (ILIKE), a filter stays a filter", async () => {
    const exp = await client.createExperiment("quick-search");
    await client.createRun(exp, { runName: "gbm-small" });
    await client.createRun(exp, { runName: "GBM-large" });
    await client.createRun(exp, { runName: "xgb-final" });
    await client.createRun(exp, { runName: "it's ok" });
    const tuned = await client.createRun(exp, { runName: "tuned" });
    await client.logParam(tuned.info.run_id, "gbm_depth", "6"); // a key the bare word "gbm" completes to

    await go(`/experiments/${exp}`);
    await waitNames("GBM-large,gbm-small,it's ok,tuned,xgb-final");
    const search = page.locator('input[aria-label="Search runs"]');
    await search.pressSequentially("gbm");
    // the completion is offered but not preselected: Enter searches the run names
    await page.getByRole("option", { name: "params.gbm_depth" }).waitFor();
    await search.press("Enter");
    await waitNames("GBM-large,gbm-small");
    assert.equal(searchParam(), "gbm");
    await page.getByTestId("run-count").filter({ hasText: "2 runs · run name contains “gbm”" }).waitFor();
    // the same filter over REST gives the same runs
    const viaRest = await client.searchRuns([exp], { filter: "attributes.run_name ILIKE '%gbm%'" });
    assert.deepEqual(viaRest.items.map((r) => r.info.run_name).sort(), ["GBM-large", "gbm-small"]);

    // a quote cannot be escaped in MLflow's literals; it matches as a one-character wildcard
    await search.fill("it's");
    await search.press("Enter");
    await waitNames("it's ok");

    // a filter expression is sent as typed
    await search.fill("params.gbm_depth = '6'");
    await search.press("Enter");
    await waitNames("tuned");
    assert.equal(searchParam(), "params.gbm_depth = '6'");
    assert.equal(
      await page.getByTestId("run-count").filter({ hasText: "run name contains" }).count(),
      0,
      "no run-name hint for a filter expression",
    );

    // a qualified key still completes with Enter
    await search.fill("");
    await search.pressSequentially("params.gbm");
    await page.getByRole("option", { name: "params.gbm_depth" }).waitFor();
    await search.press("Enter");
    assert.equal(await search.inputValue(), "params.gbm_depth");

    // the quick search keeps the time preset (ANDed), and a deep link works
    await go(`/experiments/${exp}?searchFilter=large&startTime=LAST_HOUR`);
    await waitNames("GBM-large");
    noErrors();
  });
  it("experiments list: select two, Compare opens one runs table over both with an Experiment column", async () => {
    const a = await client.createExperiment("vision/resnet");
    const b = await client.createExperiment("vision/vit");
    const ra = await client.createRun(a, { runName: "resnet-50" });
    await client.logMetric(ra.info.run_id, "top1", 0.76);
    const rb = await client.createRun(b, { runName: "vit-base" });
    await client.logMetric(rb.info.run_id, "top1", 0.81);
    await client.createRun(b, { runName: "vit-large" });

    await go("/experiments");
    const compare = page.getByRole("button", { name: /^Compare/ });
    await page.getByRole("checkbox", { name: "Select vision/vit" }).check();
    assert.ok(await compare.isDisabled(), "one experiment is not a comparison");
    await page.getByRole("checkbox", { name: "Select vision/resnet" }).check();
    await compare.click();
    // MLflow's route: the ids as a JSON list, sorted
    await page.waitForURL(/compare-experiments/);
    const hash = decodeURIComponent(new URL(page.url()).hash);
    assert.equal(hash, `#/compare-experiments/s?experiments=${JSON.stringify([a, b].sort())}`);
    await waitNames("resnet-50,vit-base,vit-large");
    await page.getByRole("heading", { name: "Runs of 2 experiments" }).waitFor();
    const header = page.getByTestId("column-header").filter({ hasText: "Experiment" });
    await header.waitFor();
    const vitRow = page.getByTestId("run-row").filter({ hasText: "vit-base" });
    await vitRow.getByRole("link", { name: "vision/vit" }).waitFor();
    assert.match((await vitRow.textContent()) ?? "", /0\.81/); // the metric column
    assert.equal(await page.getByRole("button", { name: "Create experiment" }).count(), 0);

    // the quick search and a filter work across both experiments
    const search = page.locator('input[aria-label="Search runs"]');
    await search.fill("vit");
    await search.press("Enter");
    await waitNames("vit-base,vit-large");
    await search.fill("metrics.top1 > 0.5");
    await search.press("Enter");
    await waitNames("resnet-50,vit-base");
    assert.match(decodeURIComponent(page.url()), /experiments=\["\d+","\d+"\]/, "the ids stay in the URL");

    // pins are kept per sorted id list, apart from each experiment's own
    const vitBase = page.getByTestId("run-row").filter({ hasText: "vit-base" });
    await vitBase.hover();
    await vitBase.getByRole("button", { name: "Pin run" }).click();
    const pinKey = `mlflow-ts.pinned.${[a, b].sort().join(",")}`;
    assert.deepEqual(
      JSON.parse((await page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(pinKey)})`)) ?? "null"),
      [rb.info.run_id],
    );
    assert.equal(await page.evaluate(`localStorage.getItem("mlflow-ts.pinned.${b}")`), null);

    // renaming a run from the combined table is a change on the server
    await page.getByTestId("run-row").filter({ hasText: "resnet-50" }).getByRole("checkbox").check();
    assert.equal(await page.getByRole("button", { name: "Move", exact: true }).count(), 0, "moving needs one source");
    await page.getByRole("button", { name: "Rename" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename run" });
    await dialog.getByRole("textbox").fill("resnet-101");
    await dialog.getByRole("button", { name: "Save" }).click();
    await waitNames("resnet-101,vit-base");
    assert.equal((await client.getRun(ra.info.run_id)).info.run_name, "resnet-101");

    // the experiment link opens that experiment alone
    await vitRow.getByRole("link", { name: "vision/vit" }).click();
    await page.waitForURL(new RegExp(`#/experiments/${b}$`));
    await waitNames("vit-base,vit-large");
    assert.equal(
      await page
        .getByTestId("column-header")
        .filter({ hasText: /^Experiment$/ })
        .count(),
      0,
    );
    noErrors();
  });

  it("a compare link without experiments says so", async () => {
    await go("/compare-experiments/s?experiments=oops");
    await page.getByText("No experiments to compare").waitFor();
    noErrors();
  });
});
