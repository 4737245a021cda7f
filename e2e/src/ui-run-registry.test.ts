// The run page, artifact browser and registry pages in headless Chromium against a real server:
// ranged previews, the dataset drawer, the version page's signature, webhook management, and
// route-level code splitting. No console errors.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import type { Browser, Page, Request } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

const SLICE = 256 * 1024;

function mlmodel(runId: string, signature?: { inputs: unknown; outputs?: unknown; params?: unknown }): string {
  // PyYAML's style: keys sorted, the signature's JSON strings single-quoted
  const q = (v: unknown) => `'${JSON.stringify(v).replace(/'/g, "''")}'`;
  return [
    "artifact_path: model",
    "flavors:",
    "  python_function:",
    "    loader_module: mlflow.sklearn",
    "    python_version: 3.11.9",
    "  sklearn:",
    "    sklearn_version: 1.5.1",
    "mlflow_version: 2.22.0",
    `run_id: ${runId}`,
    ...(signature
      ? [
          "signature:",
          `  inputs: ${q(signature.inputs)}`,
          `  outputs: ${signature.outputs ? q(signature.outputs) : "null"}`,
          `  params: ${signature.params ? q(signature.params) : "null"}`,
        ]
      : []),
    "utc_time_created: '2026-01-01 00:00:00.000000'",
    "",
  ].join("\n");
}

describe("web UI: run page, artifacts, registry, webhooks (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: MlflowClient;
  let expId: string;
  let runId: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = await startTestServer({
      webhookDelivery: {
        initialBackoffMs: 50,
        maxBackoffMs: 100,
        maxAttempts: 2,
        pollIntervalMs: 200,
        timeoutMs: 2000,
      },
    });
    client = new MlflowClient(server.url);
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body });
        res.writeHead(req.url?.startsWith("/fail") ? 500 : 200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    expId = await client.createExperiment("iris");
    const run = await client.createRun(expId, { runName: "iris-run" });
    runId = run.info.run_id;
    // a 20 MB log, numbered lines so the preview's first and later slices can be told apart
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 20 * 1024 * 1024; i++) {
      const line = `line ${String(i).padStart(8, "0")}: ${"lorem ipsum dolor sit amet ".repeat(3)}\n`;
      lines.push(line);
      size += line.length;
    }
    await client.logText(runId, lines.join(""), "logs/big.log");
    await client.logBytes(runId, new Uint8Array(21 * 1024 * 1024), "plots/huge.png");
    await client.logText(runId, "", "empty.txt");
    const colInputs = [
      { type: "double", name: "sepal length (cm)", required: true },
      { type: "string", name: "species", required: false },
      { type: "array", items: { type: "double" }, name: "embedding", required: true },
    ];
    await client.logText(
      runId,
      mlmodel(runId, {
        inputs: colInputs,
        outputs: [{ type: "tensor", "tensor-spec": { dtype: "int64", shape: [-1] } }],
        params: [{ name: "temperature", type: "double", default: 0.7, shape: null }],
      }),
      "model/MLmodel",
    );
    await client.logText(
      runId,
      mlmodel(runId, {
        inputs: [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 28, 28] }, name: "image" }],
        outputs: [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 10] } }],
      }),
      "tensor_model/MLmodel",
    );
    await client.logText(runId, mlmodel(runId), "nosig/MLmodel");
    await client.recordLoggedModel(runId, {
      run_id: runId,
      artifact_path: "model",
      flavors: { sklearn: {}, python_function: {} },
      utc_time_created: "2026-01-01 00:00:00.000000",
    });
    await client.logInputs(runId, [
      {
        dataset: {
          name: "iris-train",
          digest: "d1a2b3c4",
          source_type: "http",
          source: JSON.stringify({ url: "https://example.com/iris.csv" }),
          schema: JSON.stringify({
            mlflow_colspec: [
              { type: "double", name: "petal_width", required: true },
              { type: "long", name: "label", required: true },
            ],
          }),
          profile: JSON.stringify({ num_rows: 150, num_elements: 750 }),
        },
        tags: { "mlflow.data.context": "training" },
      },
      {
        dataset: { name: "iris-eval", digest: "e5f6", source_type: "local", source: '{"uri": "/data/eval.csv"}' },
        tags: { "mlflow.data.context": "eval" },
      },
    ]);
    await client.createRegisteredModel("iris");
    await client.createModelVersion("iris", `runs:/${runId}/model`, { runId });
    await client.createModelVersion("iris", `runs:/${runId}/tensor_model`, { runId });
    await client.createModelVersion("iris", `runs:/${runId}/nosig`, { runId });
    await client.createModelVersion("iris", `runs:/${runId}/no-such-dir`, { runId });
    await client.setRegisteredModelAlias("iris", "champion", 1);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((r) => receiver?.close(r));
  });

  const go = (p: Page, hash: string) => p.goto(`${server.url}/#${hash}`);
  const noErrors = () => assert.deepEqual(errors, []);

  it("previews a 20 MB log with Range requests, one slice at a time, and loads more on demand", async () => {
    const requests: Request[] = [];
    const onRequest = (r: Request) => {
      if (r.url().includes("/get-artifact") && r.url().includes("big.log")) requests.push(r);
    };
    page.on("request", onRequest);
    try {
      await go(page, `/experiments/${expId}/runs/${runId}/artifacts/logs/big.log`);
      await page.getByTestId("artifact-preview").getByText("line 00000000:").waitFor();
      const partial = page.getByTestId("artifact-partial");
      await partial.getByText(/Showing the first 256\.0 KB of 20\.0 MB/).waitFor();
      assert.equal(requests.length, 1);
      const first = requests[0] as Request;
      assert.equal(await first.headerValue("range"), `bytes=0-${SLICE - 1}`);
      const response = await first.response();
      assert.equal(response?.status(), 206);
      assert.match((await response?.headerValue("content-range")) ?? "", /^bytes 0-262143\/2097\d{4}$/);
      assert.equal((await response?.body())?.length, SLICE);

      await partial.getByRole("button", { name: /^Load 256\.0 KB more$/ }).click();
      await partial.getByText(/Showing the first 512\.0 KB of 20\.0 MB/).waitFor();
      assert.equal(requests.length, 2);
      assert.equal(await (requests[1] as Request).headerValue("range"), `bytes=${SLICE}-${2 * SLICE - 1}`);
      const text = (await page.getByTestId("artifact-preview").textContent()) ?? "";
      assert.ok(text.length >= 2 * SLICE - 200 && text.length <= 2 * SLICE, `preview holds ${text.length} chars`);
      assert.ok(!text.includes("\uFFFD"), "no broken characters at the slice boundary");
      // nothing downloaded the whole file: every response was a 206 of one slice
      let bytes = 0;
      for (const r of requests) bytes += (await (await r.response())?.body())?.length ?? 0;
      assert.equal(bytes, 2 * SLICE);
      await partial.getByRole("link", { name: "Download the whole file" }).waitFor();
    } finally {
      page.off("request", onRequest);
    }
    noErrors();
  });

  it("shows 'too large to preview' for a big image without fetching it, and empty files as empty", async () => {
    const fetched: string[] = [];
    const onRequest = (r: Request) => {
      if (r.url().includes("huge.png")) fetched.push(r.url());
    };
    page.on("request", onRequest);
    try {
      await go(page, `/experiments/${expId}/runs/${runId}/artifacts/plots/huge.png`);
      await page
        .getByTestId("artifact-too-large")
        .getByText(/This file is 21\.0 MB/)
        .waitFor();
      assert.deepEqual(fetched, []);
    } finally {
      page.off("request", onRequest);
    }
    await page.getByTestId("artifact-node").filter({ hasText: "empty.txt" }).click();
    await page.getByText("Empty file.").waitFor();
    noErrors();
  });

  it("lists the run's datasets and opens the dataset drawer (source, schema, profile); Esc closes it", async () => {
    await go(page, `/experiments/${expId}/runs/${runId}`);
    const rows = page.getByTestId("dataset-row");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    assert.match(
      (await rows.filter({ hasText: "iris-train" }).textContent()) ?? "",
      /iris-train\s*d1a2b3c4\s*training\s*http/,
    );
    await rows.filter({ hasText: "iris-train" }).click();
    const drawer = page.getByRole("dialog", { name: "Dataset: iris-train" });
    await drawer.waitFor();
    await drawer.getByTestId("dataset-source").getByText('"url": "https://example.com/iris.csv"').waitFor();
    await drawer.getByRole("link", { name: "Open source" }).waitFor();
    const schema = drawer.getByTestId("dataset-schema");
    await schema.getByRole("row").filter({ hasText: "petal_width" }).getByText("double").waitFor();
    await schema.getByRole("row").filter({ hasText: "label" }).getByText("long").waitFor();
    await drawer.getByText("2 columns").waitFor();
    await drawer
      .getByTestId("dataset-profile")
      .getByRole("row")
      .filter({ hasText: "num_rows" })
      .getByText("150")
      .waitFor();
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });

    await rows.filter({ hasText: "iris-eval" }).click();
    const evalDrawer = page.getByRole("dialog", { name: "Dataset: iris-eval" });
    await evalDrawer.getByText("No schema recorded.").waitFor();
    await evalDrawer.getByText("No profile recorded.").waitFor();
    await page.keyboard.press("Escape");
    await evalDrawer.waitFor({ state: "detached" });
    noErrors();
  });

  it("deep link to a version page loads its chunk on demand and shows the signature and usage", async () => {
    const fresh = await openPage(browser);
    const scripts: string[] = [];
    const chunkHeaders: Record<string, string>[] = [];
    fresh.page.on("request", (r) => {
      if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
    });
    fresh.page.on("response", async (r) => {
      if (/\/static-files\/model-version-[\w-]+\.js$/.test(r.url())) chunkHeaders.push(await r.allHeaders());
    });
    try {
      await go(fresh.page, "/models/iris/versions/1");
      const inputs = fresh.page.getByTestId("signature-inputs");
      await inputs.getByRole("row").filter({ hasText: "sepal length (cm)" }).getByText("double").waitFor();
      await inputs.getByRole("row").filter({ hasText: "species" }).getByText("optional").waitFor();
      await inputs.getByRole("row").filter({ hasText: "embedding" }).getByText("array<double>").waitFor();
      await fresh.page.getByTestId("signature-outputs").getByText("tensor<int64> (-1)").waitFor();
      const params = fresh.page.getByTestId("signature-params").getByRole("row").filter({ hasText: "temperature" });
      await params.getByText("0.7").waitFor();
      await fresh.page.getByText("3 columns").waitFor();
      assert.equal(await fresh.page.getByTestId("model-uri").textContent(), "models:/iris/1");
      assert.equal(await fresh.page.getByTestId("model-alias-uri").textContent(), "models:/iris@champion");
      assert.match(
        (await fresh.page.getByTestId("usage-snippet").textContent()) ?? "",
        /mlflow\.pyfunc\.load_model\("models:\/iris\/1"\)/,
      );
      // the server serves the chunk like every hashed asset: JavaScript, cached for 28 days
      assert.match(chunkHeaders[0]?.["content-type"] ?? "", /^text\/javascript/);
      assert.equal(chunkHeaders[0]?.["cache-control"], "public, max-age=2419200");
      const chunk = (name: string) => scripts.some((s) => new RegExp(`/static-files/${name}-[\\w-]+\\.js$`).test(s));
      assert.ok(chunk("model-version"), `model-version chunk loaded: ${scripts.join(" ")}`);
      for (const other of ["run", "webhooks", "experiment"])
        assert.ok(!chunk(other), `${other} chunk not loaded for the version page: ${scripts.join(" ")}`);
      assert.deepEqual(fresh.errors, []);
    } finally {
      await fresh.page.context().close();
    }

    const list = await openPage(browser);
    const listScripts: string[] = [];
    list.page.on("request", (r) => {
      if (r.resourceType() === "script") listScripts.push(new URL(r.url()).pathname);
    });
    try {
      await go(list.page, "/experiments");
      await list.page.getByRole("link", { name: "iris" }).waitFor();
      for (const other of ["run", "model-version", "webhooks", "models", "experiment"])
        assert.ok(
          !listScripts.some((s) => new RegExp(`/static-files/${other}-[\\w-]+\\.js$`).test(s)),
          `the experiments list does not load ${other}: ${listScripts.join(" ")}`,
        );
      // client-side navigation fetches the next page's chunk
      await list.page.getByRole("link", { name: "Models" }).click();
      await list.page.getByRole("link", { name: "iris" }).waitFor();
      assert.ok(listScripts.some((s) => /\/static-files\/models-[\w-]+\.js$/.test(s)));
      assert.deepEqual(list.errors, []);
    } finally {
      await list.page.context().close();
    }
  });

  it("version page: tensor signatures, and clear empty states without a signature or MLmodel", async () => {
    await go(page, "/models/iris/versions/2");
    await page.getByTestId("signature-inputs").getByText("tensor<float32> (-1, 28, 28)").waitFor();
    await page.getByTestId("signature-inputs").getByText("image").waitFor();
    await page.getByText("1 tensor", { exact: true }).first().waitFor();
    await go(page, "/models/iris/versions/3");
    await page.getByTestId("signature-empty").getByText("This model has no signature.").waitFor();
    await page.getByText("sklearn", { exact: true }).waitFor(); // flavors still show
    await go(page, "/models/iris/versions/4");
    await page
      .getByTestId("signature-empty")
      .getByText(/No MLmodel file/)
      .waitFor();
    noErrors();
  });

  it("registers a logged model into an existing model from the run page and waits until READY", async () => {
    await go(page, `/experiments/${expId}/runs/${runId}`);
    await page.getByTestId("logged-models").getByRole("button", { name: "Register model" }).click();
    const dialog = page.getByRole("dialog", { name: "Register model" });
    await dialog.getByText("Existing model").click();
    await dialog.getByPlaceholder("Pick a registered model").click();
    await page.getByRole("option", { name: "iris" }).click();
    await dialog.getByRole("button", { name: "Register" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "iris v5" }).waitFor();
    const v = await client.getModelVersion("iris", 5);
    assert.equal(v.status, "READY");
    assert.equal(v.run_id, runId);
    noErrors();
  });

  it("artifact browser: an MLmodel shows the model's schema and registers its directory", async () => {
    await go(page, `/experiments/${expId}/runs/${runId}/artifacts/tensor_model/MLmodel`);
    const panel = page.getByTestId("mlmodel-panel");
    await panel.getByText(`runs:/${runId}/tensor_model`).waitFor();
    await panel.getByTestId("signature-inputs").getByText("tensor<float32> (-1, 28, 28)").waitFor();
    await panel.getByText("sklearn", { exact: true }).waitFor();
    await page.getByTestId("artifact-preview").getByText("loader_module: mlflow.sklearn").waitFor();
    await panel.getByRole("button", { name: "Register model" }).click();
    const dialog = page.getByRole("dialog", { name: "Register model" });
    await dialog.getByRole("textbox", { name: "Model name" }).fill("digits");
    await dialog.getByRole("button", { name: "Register" }).click();
    await panel.getByRole("link", { name: "digits v1" }).click();
    await page.getByTestId("signature-inputs").getByText("image").waitFor();
    const v = await client.getModelVersion("digits", 1);
    assert.match(v.source ?? "", /\/tensor_model$/);
    noErrors();
  });

  it("webhooks: create with validation and server errors inline, deliveries log, edit, disable, redeliver, delete", async () => {
    await go(page, "/webhooks");
    await page.getByText("No webhooks yet.").waitFor();
    await page.getByRole("button", { name: "Create webhook" }).first().click();
    const form = page.getByRole("dialog", { name: "Create webhook" });
    await form.getByRole("button", { name: "Create" }).click();
    await form.getByText("A name is required.").waitFor();
    await form.getByText("A URL is required.").waitFor();
    await form.getByRole("textbox", { name: "Name" }).fill("ci-notify");
    await form.getByRole("textbox", { name: "URL" }).fill("ftp://example.com/hook");
    await form.getByText("Use an http:// or https:// URL.").waitFor();
    await form.getByRole("textbox", { name: "URL" }).fill(`${receiverUrl}/ok`);
    await form.getByRole("checkbox", { name: "model_version_alias.created" }).check();
    // the server's refusal shows in the form (simulated once: the client checks what the server checks)
    await page.route("**/mlflow-ts/webhooks/create", (route) =>
      route.fulfill({
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({ error_code: "INVALID_PARAMETER_VALUE", message: "Webhook quota reached" }),
      }),
    );
    await form.getByRole("button", { name: "Create" }).click();
    await form.getByTestId("webhook-form-error").getByText("Webhook quota reached").waitFor();
    await page.unroute("**/mlflow-ts/webhooks/create");
    errors.splice(0); // the refused request is logged by the browser as a failed resource
    await form.getByRole("button", { name: "Create" }).click();
    await form.waitFor({ state: "detached" });
    const row = page.getByTestId("webhook-row").filter({ hasText: "ci-notify" });
    await row.waitFor();
    const [hook] = (await client.listWebhooks()).items;
    assert.ok(hook);
    assert.deepEqual([...hook.events].sort(), ["model_version.created", "model_version_alias.created"]);
    assert.equal(hook.status, "ACTIVE");
    assert.equal(hook.has_secret, false);

    // an event: delivered to /ok
    await client.setRegisteredModelAlias("iris", "staging", 2);
    await row.getByRole("link", { name: "ci-notify" }).click();
    await page.getByTestId("webhook-details").getByText(`${receiverUrl}/ok`).waitFor();
    const deliveries = page.getByTestId("deliveries-table");
    await deliveries
      .getByRole("row")
      .filter({ hasText: "model_version_alias.created" })
      .getByText("SUCCEEDED")
      .waitFor();
    await deliveries.getByTestId("delivery-response").getByText("HTTP 200").waitFor();
    await page.getByRole("button", { name: "Send test event" }).click();
    await deliveries.getByRole("row").filter({ hasText: "webhook.test" }).getByText("SUCCEEDED").waitFor();
    assert.ok(received.some((r) => r.path === "/ok" && JSON.parse(r.body).event === "webhook.test"));

    // edit: a failing URL and a secret
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog", { name: "Edit webhook ci-notify" });
    await edit.getByRole("textbox", { name: "URL" }).fill(`${receiverUrl}/fail`);
    await edit.getByLabel("Secret").fill("s3cret");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await page.getByTestId("webhook-details").getByText(`${receiverUrl}/fail`).waitFor();
    await page.getByTestId("webhook-details").getByText(/^yes/).waitFor();
    assert.equal((await client.getWebhook(hook.id)).has_secret, true);

    await client.setRegisteredModelAlias("iris", "staging", 3);
    await page.getByRole("button", { name: "Refresh" }).click();
    const failed = deliveries.getByTestId("delivery-row").filter({ hasText: "FAILED" });
    await failed.waitFor({ timeout: 15_000 });
    await failed.getByText("HTTP 500").waitFor();
    assert.ok(
      received.some((r) => r.path === "/fail" && String(r.headers["x-mlflow-ts-signature"]).startsWith("sha256=")),
    );
    await failed.getByRole("button", { name: "Attempts" }).click();
    assert.equal(await page.getByTestId("attempt-log").getByRole("row").count(), 3); // header + 2 attempts
    const before = received.filter((r) => r.path === "/fail").length;
    await failed.getByRole("button", { name: "Redeliver" }).click();
    for (let i = 0; i < 150 && received.filter((r) => r.path === "/fail").length < before + 2; i++)
      await page.waitForTimeout(100);
    await page.getByRole("button", { name: "Refresh" }).click();
    await failed.waitFor({ timeout: 15_000 });
    assert.ok(received.filter((r) => r.path === "/fail").length >= before + 2);

    // disable from the switch; filter the log
    await page.getByRole("switch", { name: "Active: ci-notify" }).click({ force: true });
    await page.getByText("DISABLED", { exact: true }).first().waitFor();
    assert.equal((await client.getWebhook(hook.id)).status, "DISABLED");
    await page.getByText("Succeeded", { exact: true }).click();
    await deliveries.getByTestId("delivery-row").first().waitFor();
    assert.equal(await deliveries.getByTestId("delivery-row").count(), 2); // the alias event and the test
    await page.getByRole("button", { name: "Send test event" }).waitFor({ state: "visible" });
    assert.ok(await page.getByRole("button", { name: "Send test event" }).isDisabled());

    // delete, with a confirmation
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Delete webhook" });
    await confirm.getByText(/Delete ci-notify\?/).waitFor();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/#\/webhooks$/);
    await page.getByText("No webhooks yet.").waitFor();
    assert.equal((await client.listWebhooks()).items.length, 0);
    noErrors();
  });
});
