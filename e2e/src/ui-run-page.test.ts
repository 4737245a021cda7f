// The run page in headless Chromium against a real server: the tags editor (add, edit, delete;
// system tags hidden), parameters and metrics searchable by key, long parameter values cut with an
// expand control, and int64 steps shown exactly. Changes are checked over REST. No console errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

describe("web UI: run page (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;
  let expId: string;
  let runId: string;
  const config = JSON.stringify({
    model: { layers: Array.from({ length: 12 }, (_, i) => ({ units: 64 * (i + 1), activation: "relu" })) },
    tail: "END-OF-CONFIG",
  });

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient(server.url);
    expId = await client.createExperiment("run-page");
    const run = await client.createRun(expId, {
      runName: "bert-finetune",
      tags: { team: "nlp", "mlflow.source.name": "train.py", "mlflow.user": "alice" },
    });
    runId = run.info.run_id;
    const params: Record<string, string> = {
      config,
      lr: "0.001",
      lr_decay: "0.9",
      prompt: "line 1\nline 2\nline 3\nline 4",
    };
    for (let i = 0; i < 26; i++) params[`layer_${String(i).padStart(2, "0")}`] = String(i);
    await client.logBatch(runId, {
      params,
      metrics: [
        { key: "train_loss", value: 0.9, step: 0 },
        { key: "train_loss", value: 0.4, step: 7 },
        { key: "val_loss", value: 0.5, step: 7 },
        { key: "accuracy", value: 0.88, step: 7 },
      ],
    });
    browser = await launch();
    ({ page, errors } = await openPage(browser, { height: 1000 }));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = (hash: string) => page.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, []);
  const tagsOverRest = async () =>
    Object.fromEntries(((await client.getRun(runId)).data.tags ?? []).map((t) => [t.key, t.value]));

  it("tags: add, edit a value, delete; mlflow.* tags are hidden and cannot be added", async () => {
    await go(`/experiments/${expId}/runs/${runId}`);
    const tags = page.getByTestId("run-tags");
    const row = (key: string) => tags.locator(`[data-testid="tag-row"][data-key="${key}"]`);
    await row("team").getByText("nlp").waitFor();
    assert.equal(await tags.getByText(/^mlflow\./).count(), 0, "system tags are not listed");
    assert.equal(await row("mlflow.user").count(), 0);

    await tags.getByLabel("Tag key").fill("stage");
    await tags.getByLabel("Tag value").fill("candidate");
    await tags.getByRole("button", { name: "Add tag" }).click();
    await row("stage").getByText("candidate").waitFor();
    assert.equal((await tagsOverRest()).stage, "candidate");

    await tags.getByRole("button", { name: "Edit tag team" }).click();
    await tags.getByLabel("Value of team").fill("speech");
    await tags.getByLabel("Value of team").press("Enter");
    await row("team").getByText("speech").waitFor();
    assert.equal((await tagsOverRest()).team, "speech");

    await tags.getByRole("button", { name: "Delete tag stage" }).click();
    await row("stage").waitFor({ state: "detached" });
    assert.equal((await tagsOverRest()).stage, undefined);

    await tags.getByLabel("Tag key").fill("mlflow.hack");
    await tags.getByLabel("Tag value").fill("x");
    await tags.getByRole("button", { name: "Add tag" }).click();
    await tags
      .getByTestId("tag-error")
      .getByText(/system tags/)
      .waitFor();
    assert.equal((await tagsOverRest())["mlflow.hack"], undefined);
    // system tags set by the client are untouched
    assert.equal((await tagsOverRest())["mlflow.user"], "alice");
    noErrors();
  });

  it("parameters: search by key; a long value is cut and expands", async () => {
    await go(`/experiments/${expId}/runs/${runId}`);
    const params = page.getByTestId("params-table");
    await params.locator('[data-key="layer_25"]').waitFor();
    assert.equal(await params.getByTestId("param-row").count(), 30);
    const search = page.getByRole("textbox", { name: "Search parameters" });
    await search.fill("LR");
    await page.waitForFunction(`document.querySelectorAll('[data-testid="param-row"]').length === 2`);
    assert.deepEqual(
      await params.getByTestId("param-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key"))),
      ["lr", "lr_decay"],
    );
    await page.getByTestId("key-search-count").getByText("2 of 30").waitFor();
    await search.fill("nothing-like-this");
    await page.getByText("No parameter matches “nothing-like-this”.").waitFor();
    await search.fill("");

    const configRow = params.locator('[data-key="config"]');
    const value = configRow.getByTestId("param-value");
    const cut = (await value.textContent()) ?? "";
    assert.ok(cut.endsWith("…"), `cut: ${cut}`);
    assert.ok(!cut.includes("END-OF-CONFIG"));
    assert.ok(cut.length <= 161);
    const more = configRow.getByRole("button", { name: "Show all of config" });
    assert.equal(await more.textContent(), `Show all ${config.length} characters`);
    await more.click();
    assert.equal(await value.textContent(), config);
    await configRow.getByRole("button", { name: "Show less of config" }).click();
    assert.equal(await value.textContent(), cut);
    // more than three lines is long too; a short value has no control
    const prompt = params.locator('[data-key="prompt"]');
    assert.equal(await prompt.getByTestId("param-value").textContent(), "line 1\nline 2\nline 3…");
    assert.equal(await params.locator('[data-key="lr"]').getByRole("button").count(), 0);
    noErrors();
  });

  it("metrics: search by key, latest value with its step", async () => {
    await go(`/experiments/${expId}/runs/${runId}`);
    const metrics = page.getByTestId("metrics-table");
    await metrics.locator('[data-key="val_loss"]').waitFor();
    await page.getByRole("textbox", { name: "Search metrics" }).fill("loss");
    await page.waitForFunction(`document.querySelectorAll('[data-testid="metric-row"]').length === 2`);
    const train = metrics.locator('[data-key="train_loss"]');
    assert.equal(await train.getByTestId("metric-step").textContent(), "7");
    await train.getByText("0.9").waitFor(); // max from the history
    noErrors();
  });
  it("an int64 step beyond 2^53 shows with every digit", async () => {
    const STEP = "9007199254740993"; // 2^53 + 1: JSON.parse makes it ...992
    assert.notEqual(String(JSON.parse(`{"step":${STEP}}`).step), STEP);
    const run = (await client.createRun(expId, { runName: "long-steps" })).info.run_id;
    const logRaw = (step: string) =>
      fetch(`${server.url}/api/2.0/mlflow/runs/log-metric`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: `{"run_id":"${run}","key":"tokens_seen","value":0.25,"timestamp":1700000000000,"step":${step}}`,
      });
    const res = await logRaw(STEP);
    if (!res.ok) {
      // this server keeps steps as JS numbers and refuses an unsafe one (MLflow's server stores it);
      // log the largest safe step and let the page receive the digits MLflow's server would send
      const body = (await res.json()) as { error_code?: string };
      assert.equal(res.status, 400);
      assert.equal(body.error_code, "INVALID_PARAMETER_VALUE");
      const safe = String(Number.MAX_SAFE_INTEGER);
      assert.ok((await logRaw(safe)).ok);
      await page.route(
        (url) => url.pathname.endsWith("/runs/get") || url.pathname.endsWith("/metrics/get-history"),
        async (route) => {
          const upstream = await route.fetch();
          await route.fulfill({ response: upstream, body: (await upstream.text()).replaceAll(safe, STEP) });
        },
      );
    }
    try {
      await go(`/experiments/${expId}/runs/${run}`);
      const row = page.getByTestId("metrics-table").locator('[data-key="tokens_seen"]');
      await row.getByTestId("metric-step").getByText(STEP, { exact: true }).waitFor();
      await row.getByRole("cell", { name: "1", exact: true }).waitFor(); // its history (one point) loaded too
    } finally {
      await page.unrouteAll();
    }
    noErrors();
  });
});
