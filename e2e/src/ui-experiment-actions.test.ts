// The runs table's bulk actions and heavier views in headless Chromium against a real server:
// move runs, permanent delete, OR filters, column virtualization, the datasets preset.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

const dataset = (name: string, digest: string) => ({
  dataset: { name, digest, source_type: "local", source: `{"uri": "/data/${name}"}` },
  tags: { "mlflow.data.context": "training" },
});

describe("web UI runs table actions (Chromium)", () => {
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
  const rowCount = (n: number) =>
    page.waitForFunction(`document.querySelectorAll('[data-testid="run-row"]').length === ${n}`);
  /** Waits until the table shows exactly these run names (sorted, comma-joined). */
  const waitNames = (expected: string) =>
    page.waitForFunction(
      `[...document.querySelectorAll('[data-testid="run-row"] .run-link')].map((e) => e.textContent).sort().join(",") === ${JSON.stringify(expected)}`,
    );

  it("moves selected runs (with child runs) to another experiment; their dataset follows", async () => {
    const source = await client.createExperiment("move-source");
    await client.createExperiment("move-target");
    const target = await client.createExperiment("move-target-2");
    const parent = await client.createRun(source, { runName: "parent-a", startTime: Date.now() - 1000 });
    await client.createRun(source, { runName: "child-a1", tags: { "mlflow.parentRunId": parent.info.run_id } });
    await client.createRun(source, { runName: "stays-here" });
    await client.logInputs(parent.info.run_id, [dataset("iris", "abc123")]);
    await client.logText(parent.info.run_id, "weights", "model/weights.txt");
    await client.recordLoggedModel(parent.info.run_id, {
      run_id: parent.info.run_id,
      artifact_path: "model",
      flavors: { python_function: {}, sklearn: {} },
      utc_time_created: "2026-01-01 00:00:00.000000",
    });
    await client.setTag(parent.info.run_id, "mlflow.source.git.commit", "0123456789abcdef");
    const artifactUri = (await client.getRun(parent.info.run_id)).info.artifact_uri;

    await go(`/experiments/${source}`);
    await page.getByText("parent-a").waitFor();
    await page.getByTestId("run-row").filter({ hasText: "parent-a" }).getByRole("checkbox").check();
    await page.getByRole("button", { name: "Move", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Move 1 run" });
    await dialog.getByRole("textbox", { name: "Search experiments" }).fill("target-2");
    await dialog.getByRole("radio", { name: "move-target-2" }).waitFor();
    assert.equal(await dialog.getByRole("radio").count(), 1);
    assert.ok(await dialog.getByRole("checkbox", { name: "Include child runs" }).isChecked());
    // keyboard only: pick the experiment and confirm
    await dialog.getByRole("radio", { name: "move-target-2" }).focus();
    await page.keyboard.press("Space");
    await dialog.getByRole("button", { name: "Move", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("notice").filter({ hasText: "Moved 2 runs to move-target-2" }).waitFor();
    await waitNames("stays-here");

    await go(`/experiments/${target}`);
    await page.getByText("parent-a").waitFor();
    await page.getByRole("button", { name: "Expand child runs" }).click();
    await page.getByText("child-a1").waitFor();
    const movedRow = page.getByTestId("run-row").filter({ hasText: "parent-a" });
    const movedText = (await movedRow.textContent()) ?? "";
    assert.match(movedText, /iris \(abc123\) training/); // Dataset column
    assert.match(movedText, /model \(sklearn\)/); // Models column
    assert.match(movedText, /0123456(?!7)/); // Version column (short commit)
    const moved = await client.getRun(parent.info.run_id);
    assert.equal(moved.info.experiment_id, target);
    assert.equal(moved.info.artifact_uri, artifactUri);
    // the dataset is offered by the target's datasets preset
    await page.locator('input[aria-label="Datasets"]').click();
    await page.getByRole("option", { name: /iris \(abc123\)/ }).waitFor();
    await page.keyboard.press("Escape");
    const summaries = await client.searchDatasets([target]);
    assert.deepEqual(
      summaries.map((d) => d.name),
      ["iris"],
    );
    noErrors();
  });

  it("deletes deleted runs permanently, artifacts included, after a typed confirmation", async () => {
    const exp = await client.createExperiment("purge-ui");
    const doomed = await client.createRun(exp, { runName: "doomed" });
    await client.createRun(exp, { runName: "kept" });
    await client.logText(doomed.info.run_id, "bytes", "out/file.txt");
    const runDir = join(server.dir, "mlartifacts", exp, doomed.info.run_id);
    assert.ok(existsSync(join(runDir, "artifacts", "out", "file.txt")));
    await client.deleteRun(doomed.info.run_id);

    await go(`/experiments/${exp}`);
    await page.getByText("kept").waitFor();
    await page.getByRole("checkbox", { name: "Select run" }).check();
    assert.equal(await page.getByRole("button", { name: "Delete permanently" }).count(), 0);
    await page.getByRole("checkbox", { name: "Select run" }).uncheck();
    await page.getByText("Deleted", { exact: true }).click();
    await page.getByText("doomed").waitFor();
    await page.getByRole("checkbox", { name: "Select run" }).check();
    await page.getByRole("button", { name: "Delete permanently" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete 1 run permanently" });
    const confirm = dialog.getByRole("button", { name: "Delete permanently" });
    assert.ok(await confirm.isDisabled());
    await dialog.getByRole("textbox").fill("delet");
    assert.ok(await confirm.isDisabled());
    await dialog.getByRole("textbox").pressSequentially("e");
    await page.keyboard.press("Enter");
    await page.getByTestId("notice").filter({ hasText: "Deleted 1 run permanently." }).waitFor();
    await page.getByText("No runs match.").waitFor();
    assert.ok(!existsSync(runDir), "the run's artifacts are gone from disk");
    await assert.rejects(client.getRun(doomed.info.run_id), /not found/);
    noErrors();
  });

  it("filters with OR and parentheses in the search box", async () => {
    const exp = await client.createExperiment("or-filter");
    const seed: [string, number, string, string][] = [
      ["r1", 0.95, "y", "n"],
      ["r2", 0.5, "x", "y"],
      ["r3", 0.5, "x", "n"],
      ["r4", 0.2, "z", "y"],
    ];
    for (const [name, acc, model, t] of seed) {
      const run = await client.createRun(exp, { runName: name });
      await client.logBatch(run.info.run_id, {
        metrics: [{ key: "acc", value: acc, step: 0 }],
        params: [{ key: "model", value: model }],
        tags: [{ key: "t", value: t }],
      });
    }
    await go(`/experiments/${exp}`);
    await rowCount(4);
    const search = page.locator('input[aria-label="Search runs"]');
    await search.fill("metrics.acc > 0.9 OR (params.model = 'x' AND tags.t = 'y')");
    await search.press("Enter");
    await waitNames("r1,r2");
    assert.match(decodeURIComponent(page.url()).replace(/\+/g, " "), /searchFilter=metrics\.acc > 0\.9 OR \(/);
    // the time preset combines with the OR filter without changing its meaning
    await page.locator('input[aria-label="Time created"]').click();
    await page.getByRole("option", { name: "Last hour" }).click();
    await page.waitForURL(/startTime=LAST_HOUR/);
    await waitNames("r1,r2");
    noErrors();
  });

  it("virtualizes columns: 300 metric columns render a window, scrolling right reveals later ones", async () => {
    const exp = await client.createExperiment("wide-columns");
    for (let r = 0; r < 3; r++) {
      const run = await client.createRun(exp, { runName: `wide-${r}` });
      await client.logBatch(run.info.run_id, {
        metrics: Array.from({ length: 300 }, (_, m) => ({
          key: `m_${String(m).padStart(3, "0")}`,
          value: m + r,
          step: 0,
        })),
      });
    }
    await go(`/experiments/${exp}`);
    await page.getByText("wide-0").waitFor();
    await page.getByRole("button", { name: "Columns" }).click();
    await page.getByRole("textbox", { name: "Search columns" }).fill("m_");
    await page.getByRole("button", { name: "Add all matching" }).click();
    await page.getByRole("button", { name: "Columns" }).filter({ hasText: "Columns (300/300)" }).waitFor();
    await page.keyboard.press("Escape");
    const headers = page.getByTestId("column-header");
    await headers.filter({ hasText: "m_000" }).waitFor();
    const rendered = await headers.count();
    assert.ok(rendered < 40, `only a window of the 304 columns is in the DOM (got ${rendered})`);
    assert.equal(await headers.filter({ hasText: "m_299" }).count(), 0);
    const cellsPerRow = await page.getByTestId("run-row").first().locator(".cell").count();
    assert.ok(cellsPerRow < 45, `row cells are windowed too (got ${cellsPerRow})`);

    const table = page.getByTestId("runs-table");
    await table.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await headers.filter({ hasText: "m_299" }).waitFor();
    assert.equal(await headers.filter({ hasText: "m_000" }).count(), 0);
    assert.ok((await headers.count()) < 40);
    // the sticky block stays put: the run name is still visible at the left edge
    const link = page.getByTestId("run-row").filter({ hasText: "wide-0" }).locator(".run-link");
    const box = await link.boundingBox();
    const tableBox = await table.boundingBox();
    assert.ok(box && tableBox && box.x - tableBox.x < 120, "run name stays at the left while scrolled right");
    const row = page.getByTestId("run-row").filter({ hasText: "wide-2" });
    assert.match((await row.textContent()) ?? "", /301/); // m_299 of wide-2
    noErrors();
  });

  it("the column picker offers keys of runs that are not loaded yet (fetched from the server on open)", async () => {
    const exp = await client.createExperiment("keys-on-demand");
    const old = await client.createRun(exp, { runName: "oldest", startTime: 1_000 });
    await client.logMetric(old.info.run_id, "rare_metric", 1);
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < 210; i += 4) await client.createRun(exp, { runName: `r-${i}`, startTime: 2_000 + i });
      }),
    );
    await go(`/experiments/${exp}`);
    await page.getByText("r-209").waitFor();
    assert.match((await page.getByTestId("run-count").textContent()) ?? "", /^200\+ runs/);
    await page.getByRole("button", { name: "Columns" }).click();
    await page.getByRole("textbox", { name: "Search columns" }).fill("rare");
    await page.getByRole("checkbox", { name: "rare_metric" }).check();
    await page.keyboard.press("Escape");
    await page.getByTestId("column-header").filter({ hasText: "rare_metric" }).waitFor();
    // the search box completes it too
    const search = page.locator('input[aria-label="Search runs"]');
    await search.pressSequentially("metrics.rare");
    await page.getByRole("option", { name: "metrics.rare_metric" }).waitFor();
    await search.press("Enter");
    await search.pressSequentially(" > 0");
    await search.press("Enter");
    await waitNames("oldest");
    noErrors();
  });

  it("datasets preset: filters runs by dataset, kept in the URL", async () => {
    const exp = await client.createExperiment("datasets-preset");
    const a = await client.createRun(exp, { runName: "trained-on-train" });
    const b = await client.createRun(exp, { runName: "trained-on-eval" });
    await client.createRun(exp, { runName: "no-dataset" });
    await client.logInputs(a.info.run_id, [dataset("train-set", "d1")]);
    await client.logInputs(b.info.run_id, [dataset("eval-set", "d2")]);
    await go(`/experiments/${exp}`);
    await rowCount(3);
    await page.locator('input[aria-label="Datasets"]').click();
    await page.getByRole("option", { name: /train-set \(d1\)/ }).click();
    await waitNames("trained-on-train");
    assert.match(decodeURIComponent(page.url()), /datasetsFilter=\[\{"name":"train-set","digest":"d1"\}\]/);
    await page.getByRole("option", { name: /eval-set \(d2\)/ }).click();
    await waitNames("trained-on-eval,trained-on-train");
    await page.keyboard.press("Escape");
    await page.reload();
    await waitNames("trained-on-eval,trained-on-train");
    noErrors();
  });
});
