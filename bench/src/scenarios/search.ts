import type { BenchClient } from "../http-client.js";
import { median, p95, sample } from "../stats.js";

export const FILTER = "metrics.acc > 0.5 and params.model = 'x'";

/** Loads `n` runs (2 params, 2 metrics, 1 tag each) into a new experiment over HTTP. */
export async function loadRuns(
  client: BenchClient,
  n: number,
  concurrency = 8,
): Promise<{ experimentId: string; seconds: number }> {
  const experimentId = (
    await client.json("POST", "/api/2.0/mlflow/experiments/create", { name: `bench-${n}-${Date.now()}` })
  ).experiment_id as string;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const run = await client.json("POST", "/api/2.0/mlflow/runs/create", {
          experiment_id: experimentId,
          start_time: 1_700_000_000_000 + i,
          run_name: `run-${i}`,
        });
        const runId = run.run.info.run_id;
        await client.json("POST", "/api/2.0/mlflow/runs/log-batch", {
          run_id: runId,
          params: [
            { key: "model", value: i % 2 === 0 ? "x" : "y" },
            { key: "lr", value: String((i % 10) / 100) },
          ],
          metrics: [
            { key: "acc", value: ((i * 7919) % 1000) / 1000, timestamp: 1, step: 0 },
            { key: "loss", value: ((i * 104729) % 1000) / 1000, timestamp: 1, step: 0 },
          ],
          tags: [{ key: "team", value: i % 3 === 0 ? "a" : "b" }],
        });
      }
    }),
  );
  return { experimentId, seconds: (performance.now() - t0) / 1000 };
}

export interface QueryStats {
  medianMs: number;
  p95Ms: number;
  returned: number;
}

export async function searchStats(
  client: BenchClient,
  experimentId: string,
  maxResults: number,
  orderBy: string[] | undefined,
  samples = 15,
): Promise<QueryStats> {
  const body = JSON.stringify({
    experiment_ids: [experimentId],
    filter: FILTER,
    max_results: maxResults,
    ...(orderBy ? { order_by: orderBy } : {}),
  });
  // timed: request sent until the whole body is received; parsing it is the client's cost
  let last = "";
  const durations = await sample(samples, async () => {
    const r = await client.send("POST", "/api/2.0/mlflow/runs/search", body);
    if (r.status !== 200) throw new Error(`search failed: ${r.text}`);
    last = r.text;
  });
  return { medianMs: median(durations), p95Ms: p95(durations), returned: (JSON.parse(last).runs ?? []).length };
}
