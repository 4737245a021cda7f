// Screenshots of the web UI's main pages for the docs: `node e2e/dist/ui-screenshots.js [outDir]
// [name ...]` (after `npm run build`; names pick some shots, e.g. `model-page model-version`).
// Seeds a realistic server, then captures each page in Chromium.
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer } from "@mlflow-ts/server/test-support";
import type { Page } from "playwright-core";
import { launch, openPage } from "./ui-support.js";

const out = resolve(process.argv[2] ?? "docs/screenshots");
const only = process.argv.slice(3);
mkdirSync(out, { recursive: true });
const server = await startTestServer({ webhookDelivery: { initialBackoffMs: 50, maxBackoffMs: 100, maxAttempts: 3 } });
// a webhook receiver: /ok answers 200, anything else 503
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(req.url === "/ok" ? 200 : 503).end());
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
const client = new MlflowClient(server.url);
try {
  for (const name of ["vision/resnet-sweep", "vision/vit-finetune", "nlp/sentiment-bert", "churn-model", "forecasting"])
    await client.createExperiment(name, { tags: { "mlflow.note.content": `Experiments for ${name}` } });
  const exp = (await client.getExperimentByName("vision/resnet-sweep"))?.experiment_id ?? "0";
  const optimizers = ["adam", "sgd", "adamw"];
  const trainDataset = {
    name: "imagenet-1k-train",
    digest: "8f2c1a9e",
    source_type: "s3",
    source: JSON.stringify({ uri: "s3://datasets/imagenet-1k/train/" }),
    schema: JSON.stringify({
      mlflow_colspec: [
        { type: "binary", name: "image", required: true },
        { type: "long", name: "label", required: true },
        { type: "string", name: "synset", required: true },
        { type: "string", name: "photographer", required: false },
      ],
    }),
    profile: JSON.stringify({ num_rows: 1281167, num_elements: 5124668 }),
  };
  // a long parameter value (the run page cuts it)
  const augmentations = JSON.stringify([
    { name: "RandomResizedCrop", size: 224, scale: [0.08, 1.0] },
    { name: "RandomHorizontalFlip", p: 0.5 },
    { name: "ColorJitter", brightness: 0.4, contrast: 0.4, saturation: 0.4 },
    { name: "Normalize", mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  ]);
  let best = "";
  for (let i = 0; i < 60; i++) {
    const run = await client.createRun(exp, {
      runName: `resnet50-lr${(0.0005 * (i + 1)).toFixed(4)}-${i}`,
      userId: ["ana", "bo", "chen"][i % 3] as string,
      startTime: Date.now() - (60 - i) * 37 * 60_000,
    });
    const id = run.info.run_id;
    const acc = 0.7 + 0.25 * Math.sin(i / 9) ** 2;
    const metrics = [];
    for (let step = 0; step < 20; step++) {
      metrics.push({ key: "val_accuracy", value: acc * (1 - Math.exp(-(step + 1) / 5)), step });
      metrics.push({ key: "val_loss", value: (1 - acc) * 3 * Math.exp(-step / 8) + 0.05, step });
    }
    metrics.push({ key: "train_time_s", value: 300 + i * 7, step: 0 });
    await client.logBatch(id, {
      metrics,
      params: [
        { key: "learning_rate", value: (0.0005 * (i + 1)).toFixed(4) },
        { key: "optimizer", value: optimizers[i % 3] as string },
        { key: "batch_size", value: String(32 * (1 + (i % 4))) },
        { key: "epochs", value: "20" },
        { key: "augmentations", value: augmentations },
      ],
      tags: [
        { key: "mlflow.source.name", value: "train.py" },
        {
          key: "mlflow.source.git.commit",
          value: `3f9c2${(i * 7919).toString(16).padStart(4, "0")}d1e8a0b4c5f6071829a3b4c5d6e7f8091`,
        },
        { key: "dataset", value: "imagenet-1k" },
      ],
    });
    await client.logInputs(id, [
      {
        dataset: trainDataset,
        tags: { "mlflow.data.context": "training" },
      },
    ]);
    await client.setTerminated(
      id,
      i % 17 === 5 ? "FAILED" : "FINISHED",
      (run.info.start_time ?? 0) + 1000 * (600 + i * 23),
    );
    if (i === 40) best = id;
  }
  await client.setTag(best, "mlflow.note.content", "Best validation accuracy of the sweep; promoted to the registry.");
  await client.setTag(best, "reviewed_by", "chen");
  // a second experiment of the same task, for the combined runs table
  const vit = (await client.getExperimentByName("vision/vit-finetune"))?.experiment_id ?? "0";
  for (let i = 0; i < 8; i++) {
    const run = await client.createRun(vit, {
      runName: `vit-b16-${["adamw", "lion"][i % 2]}-${i}`,
      userId: ["dana", "eli"][i % 2] as string,
      startTime: Date.now() - (8 - i) * 53 * 60_000,
    });
    const acc = 0.78 + 0.02 * i;
    await client.logBatch(run.info.run_id, {
      metrics: [
        { key: "val_accuracy", value: acc, step: 19 },
        { key: "val_loss", value: (1 - acc) * 1.7, step: 19 },
        { key: "train_time_s", value: 900 + 40 * i, step: 0 },
      ],
      params: [
        { key: "learning_rate", value: (0.0001 * (i + 1)).toFixed(4) },
        { key: "optimizer", value: ["adamw", "lion"][i % 2] as string },
        { key: "batch_size", value: "256" },
        { key: "epochs", value: "20" },
      ],
      tags: [{ key: "mlflow.source.name", value: "finetune_vit.py" }],
    });
    await client.setTerminated(run.info.run_id, "FINISHED", (run.info.start_time ?? 0) + 1000 * (1800 + i * 60));
  }
  await client.logText(best, "epoch 1: loss=0.92\nepoch 2: loss=0.61\nepoch 3: loss=0.44\n", "logs/train.log");
  await client.logDict(
    best,
    { architecture: "resnet50", dropout: 0.1, layers: [64, 128, 256, 512] },
    "model/config.json",
  );
  const signature = {
    inputs: JSON.stringify([
      { type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 3, 224, 224] }, name: "pixel_values" },
    ]),
    outputs: JSON.stringify([
      { type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 1000] }, name: "logits" },
    ]),
    params: JSON.stringify([
      { name: "top_k", type: "long", default: 5, shape: null },
      { name: "temperature", type: "double", default: 1.0, shape: null },
    ]),
  };
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  await client.logText(
    best,
    [
      "artifact_path: model",
      "flavors:",
      "  python_function:",
      "    loader_module: mlflow.pytorch",
      "  pytorch:",
      "    pytorch_version: 2.4.0",
      "mlflow_version: 2.22.0",
      "signature:",
      `  inputs: ${q(signature.inputs)}`,
      `  outputs: ${q(signature.outputs)}`,
      `  params: ${q(signature.params)}`,
      "",
    ].join("\n"),
    "model/MLmodel",
  );
  let log = "";
  for (let step = 0; log.length < 3 * 1024 * 1024; step++)
    log += `2026-01-01T10:${String(Math.floor(step / 60) % 60).padStart(2, "0")}:${String(step % 60).padStart(2, "0")} step=${step} loss=${(2 * Math.exp(-step / 4000) + 0.05).toFixed(4)} lr=0.0005 throughput=412.7 img/s\n`;
  await client.logText(best, log, "logs/steps.log");
  await client.recordLoggedModel(best, {
    run_id: best,
    artifact_path: "model",
    flavors: { pytorch: {}, python_function: {} },
    utc_time_created: "2026-01-01 00:00:00.000000",
  });
  await client.logInputs(best, [
    {
      dataset: trainDataset,
      tags: { "mlflow.data.context": "training" },
    },
    {
      dataset: {
        name: "imagenet-1k-val",
        digest: "1b7d03f2",
        source_type: "s3",
        source: JSON.stringify({ uri: "s3://datasets/imagenet-1k/val/" }),
        profile: JSON.stringify({ num_rows: 50000 }),
      },
      tags: { "mlflow.data.context": "eval" },
    },
  ]);
  const notify = await client.createWebhook({
    name: "deploy-on-champion",
    url: `${hookBase}/ok`,
    events: ["model_version_alias.created", "model_version.created"],
    description: "Tells the deployment service when @champion moves.",
    secret: "s3cret",
  });
  await client.createWebhook({
    name: "chat-notify",
    url: `${hookBase}/down`,
    events: ["model_version.stage_transitioned"],
    status: "ACTIVE",
  });
  await client.createWebhook({
    name: "legacy-ci",
    url: "https://ci.example.com/hooks/mlflow",
    events: ["registered_model.created"],
    status: "DISABLED",
  });
  await client.createRegisteredModel("resnet-classifier", {
    description: "ResNet-50 image classifier trained on ImageNet-1k.",
    tags: { team: "vision" },
  });
  await client.createModelVersion("resnet-classifier", `runs:/${best}/model`, { runId: best });
  await client.createModelVersion("resnet-classifier", `runs:/${best}/model`, {
    runId: best,
    description: "Retrained",
    tags: { validated: "true", dataset: "imagenet-1k" },
  });
  await client.setRegisteredModelAlias("resnet-classifier", "champion", 2);
  await client.createRegisteredModel("sentiment-bert", { description: "Sentiment model" });
  await client.transitionModelVersionStage("resnet-classifier", 1, "Staging");
  for (let i = 0; i < 50; i++) {
    const done = await client.listWebhookDeliveries({ maxResults: 100 });
    if (done.items.length >= 4 && done.items.every((d) => d.status !== "PENDING")) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const browser = await launch();
  const shots: [string, string, string, ("light" | "dark")?, ((page: Page) => Promise<void>)?, number?][] = [
    [
      "experiments",
      "/experiments",
      "vision/",
      "light",
      async (page) => {
        await page.getByRole("checkbox", { name: "Select vision/resnet-sweep" }).check();
        await page.getByRole("checkbox", { name: "Select vision/vit-finetune" }).check();
      },
    ],
    ["runs-table", `/experiments/${exp}`, "resnet50-lr"],
    ["runs-table-dark", `/experiments/${exp}?orderByKey=metrics.%60val_accuracy%60`, "resnet50-lr", "dark"],
    ["run-page", `/experiments/${exp}/runs/${best}`, "Best validation", "light", undefined, 1040],
    [
      "compare-experiments",
      `/compare-experiments/s?experiments=${encodeURIComponent(JSON.stringify([exp, vit].sort()))}`,
      "vit-b16",
    ],
    [
      "dataset-drawer",
      `/experiments/${exp}/runs/${best}`,
      "imagenet-1k-train",
      "light",
      async (page) => {
        await page.getByTestId("dataset-row").filter({ hasText: "imagenet-1k-train" }).click();
        await page.getByTestId("dataset-profile").waitFor();
      },
    ],
    ["artifacts", `/experiments/${exp}/runs/${best}/artifacts/model/config.json`, "architecture"],
    [
      "artifacts-mlmodel",
      `/experiments/${exp}/runs/${best}/artifacts/model/MLmodel`,
      "pixel_values",
      "light",
      undefined,
      900,
    ],
    ["artifacts-ranged", `/experiments/${exp}/runs/${best}/artifacts/logs/steps.log`, "Showing the first"],
    ["models", "/models", "resnet-classifier"],
    ["model-page", "/models/resnet-classifier", "Retrained", "light", undefined, 760],
    [
      "model-page-aliases-dark",
      "/models/resnet-classifier",
      "Retrained",
      "dark",
      async (page) => {
        await page.getByRole("button", { name: "Edit aliases of version 1" }).click();
        await page.getByRole("dialog", { name: "Aliases of version 1" }).getByLabel("New alias").fill("champion");
        await page.getByTestId("alias-move-warning").waitFor();
      },
      760,
    ],
    ["model-version", "/models/resnet-classifier/versions/2", "pixel_values", "light", undefined, 1500],
    [
      "model-version-stage",
      "/models/resnet-classifier/versions/2",
      "pixel_values",
      "light",
      async (page) => {
        await page.locator('input[aria-label="Stage"]').click();
        await page.getByRole("option", { name: "Production" }).click();
        await page.getByRole("dialog", { name: "Stage transition" }).waitFor();
      },
      800,
    ],
    ["webhooks", "/webhooks", "deploy-on-champion"],
    [
      "webhook-form",
      "/webhooks",
      "deploy-on-champion",
      "light",
      async (page) => {
        await page.getByRole("button", { name: "Create webhook" }).click();
        const form = page.getByRole("dialog", { name: "Create webhook" });
        await form.getByRole("textbox", { name: "URL" }).fill("ftp://ci.example.com/hook");
        await form.getByRole("button", { name: "Create" }).click();
        await form.getByText("A name is required.").waitFor();
      },
      860,
    ],
    [
      "webhook-deliveries",
      `/webhooks/${notify.id}`,
      "HTTP 200",
      "light",
      async (page) => {
        await page.getByRole("button", { name: "Attempts" }).first().click();
      },
    ],
  ];
  for (const [name, hash, text, scheme, action, height] of shots) {
    if (only.length && !only.includes(name)) continue;
    // the runs table is wide: its shots get room for the metric and param columns after the standard ones
    const width = name.startsWith("runs-table") || name === "compare-experiments" ? 1920 : 1280;
    const { page } = await openPage(browser, { colorScheme: scheme ?? "light", width, height: height ?? 720 });
    await page.goto(`${server.url}/#${hash}`);
    await page.getByText(text).first().waitFor();
    await action?.(page);
    await page.waitForTimeout(400); // metric ranges, fonts and drawer transitions settle
    await page.screenshot({ path: `${out}/${name}.png` });
    await page.context().close();
    console.log(`${out}/${name}.png`);
  }
  await browser.close();
} finally {
  await server.close();
  receiver.close();
}
