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
});
