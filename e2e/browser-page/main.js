// A page that logs to an MLflow server with the SDK's browser build (see src/browser-client.test.ts).
import * as mlflow from "@mlflow-ts/client";

const status = document.getElementById("status");
try {
  mlflow.setTrackingUri(new URLSearchParams(location.search).get("tracking"));
  await mlflow.setExperiment("browser");
  const run = await mlflow.startRun({ runName: "from-chromium" });
  for (let step = 0; step < 50; step++) mlflow.logMetric("clicks", step * 2, { step });
  mlflow.logParam("agent", "chromium");
  await mlflow.logText("hello from the browser", "notes.txt");
  await mlflow.endRun();
  status.textContent = "done";
  document.title = `done:${run.info.run_id}`;
} catch (e) {
  status.textContent = String(e);
  document.title = `error:${e?.errorCode ?? ""}:${e?.message ?? e}`;
}
