/**
 * Logs 100,000 metric points from one loop against a real mlflow-ts server (its own process, on
 * 127.0.0.1) and reports how long the loop and the flush take; for contrast, 1,000 points sent
 * one request per call, as MLflow's per-call `log_metric` loop does.
 *
 *   npm run build && npm run bench -w packages/client
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Mlflow, MlflowClient } from "../node/index.js";

const N = Number(process.env.BENCH_POINTS ?? 100_000);

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const code = `import { startTestServer } from "@mlflow-ts/server/test-support";
const s = await startTestServer(); console.log(s.url);
process.on("SIGTERM", async () => { await s.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (c) => reject(new Error(`server exited with ${c}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

const server = await startServer();
try {
  const m = new Mlflow({ trackingUri: server.url, flushOnExit: false });
  const run = await m.startRun({ runName: "bench-100k" });
  const t0 = performance.now();
  for (let step = 0; step < N; step++) void m.logMetric("loss", Math.exp(-step / N), { step });
  const t1 = performance.now();
  await m.flush();
  const t2 = performance.now();
  await m.endRun();
  const client = new MlflowClient(server.url);
  const stored = (await client.getMetricHistory(run.info.run_id, "loss")).length;

  const perCallRun = (await client.createRun("0")).info.run_id;
  const t3 = performance.now();
  for (let step = 0; step < 1000; step++) await client.logMetric(perCallRun, "loss", step, { step });
  const t4 = performance.now();

  console.log(
    `${N} logMetric calls from one loop: loop ${(t1 - t0).toFixed(0)} ms, all on the server after ${((t2 - t0) / 1000).toFixed(2)} s (${stored} points stored)`,
  );
  console.log(`1000 points, one request per call (localhost): ${((t4 - t3) / 1000).toFixed(2)} s`);
} finally {
  server.stop();
}
