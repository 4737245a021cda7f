import type { BenchClient } from "../http-client.js";
import { query } from "../http-client.js";
import { median, p95, sample } from "../stats.js";

/** Logs one metric with `steps` steps to a new run, 1000 points per log-batch. */
export async function loadHistory(client: BenchClient, steps: number, key = "loss"): Promise<string> {
  const runId = (await client.json("POST", "/api/2.0/mlflow/runs/create", { experiment_id: "0" })).run.info
    .run_id as string;
  for (let start = 0; start < steps; start += 1000) {
    const metrics = [];
    for (let s = start; s < Math.min(steps, start + 1000); s++)
      metrics.push({ key, value: 1 / (s + 1), timestamp: 1_700_000_000_000 + s, step: s });
    await client.json("POST", "/api/2.0/mlflow/runs/log-batch", JSON.stringify({ run_id: runId, metrics }));
  }
  return runId;
}

export async function historyStats(client: BenchClient, runId: string, samples: number) {
  let last = "";
  const durations = await sample(
    samples,
    async () => {
      const r = await client.send(
        "GET",
        `/api/2.0/mlflow/metrics/get-history?${query({ run_id: runId, metric_key: "loss" })}`,
      );
      if (r.status !== 200) throw new Error(r.text);
      last = r.text;
    },
    1,
  );
  return { medianMs: median(durations), p95Ms: p95(durations), points: (JSON.parse(last).metrics ?? []).length };
}

export async function bulkIntervalStats(client: BenchClient, runIds: string[], samples: number) {
  let last = "";
  const path = `/api/2.0/mlflow/metrics/get-history-bulk-interval?${query({ run_ids: runIds, metric_key: "loss" })}`;
  const durations = await sample(
    samples,
    async () => {
      const r = await client.send("GET", path);
      if (r.status !== 200) throw new Error(r.text);
      last = r.text;
    },
    1,
  );
  return { medianMs: median(durations), p95Ms: p95(durations), points: (JSON.parse(last).metrics ?? []).length };
}
