// Screenshots of the web UI's main pages for the docs: `node e2e/dist/ui-screenshots.js [outDir]`
// (after `npm run build`). Seeds a realistic server, then captures each page in Chromium.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer } from "@mlflow-ts/server/test-support";
import { launch, openPage } from "./ui-support.js";

const out = resolve(process.argv[2] ?? "docs/screenshots");
mkdirSync(out, { recursive: true });
const server = await startTestServer();
const client = new MlflowClient(server.url);
try {
  for (const name of ["vision/resnet-sweep", "vision/vit-finetune", "nlp/sentiment-bert", "churn-model", "forecasting"])
    await client.createExperiment(name, { tags: { "mlflow.note.content": `Experiments for ${name}` } });
  const exp = (await client.getExperimentByName("vision/resnet-sweep"))?.experiment_id ?? "0";
  const optimizers = ["adam", "sgd", "adamw"];
  let best = "";
  for (let i = 0; i < 60; i++) {
    const run = await client.createRun(exp, { runName: `resnet50-lr${(0.0005 * (i + 1)).toFixed(4)}-${i}` });
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
      ],
      tags: [
        { key: "mlflow.source.name", value: "train.py" },
        { key: "dataset", value: "imagenet-1k" },
      ],
    });
    await client.setTerminated(id, i % 17 === 5 ? "FAILED" : "FINISHED", Date.now() + 1000 * (120 + i * 13));
    if (i === 40) best = id;
  }
  await client.setTag(best, "mlflow.note.content", "Best validation accuracy of the sweep; promoted to the registry.");
  await client.logText(best, "epoch 1: loss=0.92\nepoch 2: loss=0.61\nepoch 3: loss=0.44\n", "logs/train.log");
  await client.logDict(
    best,
    { architecture: "resnet50", dropout: 0.1, layers: [64, 128, 256, 512] },
    "model/config.json",
  );
  await client.logText(
    best,
    "artifact_path: model\nflavors:\n  pytorch:\n    pytorch_version: 2.4.0\n",
    "model/MLmodel",
  );
  await client.createRegisteredModel("resnet-classifier", {
    description: "ResNet-50 image classifier trained on ImageNet-1k.",
    tags: { team: "vision" },
  });
  await client.createModelVersion("resnet-classifier", `runs:/${best}/model`, { runId: best });
  await client.createModelVersion("resnet-classifier", `runs:/${best}/model`, {
    runId: best,
    description: "Retrained",
  });
  await client.setRegisteredModelAlias("resnet-classifier", "champion", 2);
  await client.createRegisteredModel("sentiment-bert", { description: "Sentiment model" });

  const browser = await launch();
  const shots: [string, string, string, ("light" | "dark")?][] = [
    ["experiments", "/experiments", "vision/"],
    ["runs-table", `/experiments/${exp}`, "resnet50-lr"],
    ["runs-table-dark", `/experiments/${exp}?orderByKey=metrics.%60val_accuracy%60`, "resnet50-lr", "dark"],
    ["run-page", `/experiments/${exp}/runs/${best}`, "Best validation"],
    ["artifacts", `/experiments/${exp}/runs/${best}/artifacts/model/config.json`, "architecture"],
    ["models", "/models", "resnet-classifier"],
    ["model-version", "/models/resnet-classifier/versions/2", "Source run"],
  ];
  for (const [name, hash, text, scheme] of shots) {
    const { page } = await openPage(browser, { colorScheme: scheme ?? "light", width: 1280, height: 720 });
    await page.goto(`${server.url}/#${hash}`);
    await page.getByText(text).first().waitFor();
    await page.waitForTimeout(400); // metric ranges and fonts settle
    await page.screenshot({ path: `${out}/${name}.png` });
    await page.context().close();
    console.log(`${out}/${name}.png`);
  }
  await browser.close();
} finally {
  await server.close();
}
