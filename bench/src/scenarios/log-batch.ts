import type { BenchClient } from "../http-client.js";
import { median, p95 } from "../stats.js";

const KEYS = 10;
const STEPS = 100;

/**
 * The timestamp of a point, as a client's wall clock gives it: later requests carry later times
 * (MLflow's client stamps each point when it is logged). An earlier version of this bench reused
 * the same 100 timestamps in every request, which scatters each batch over MLflow's
 * `(key, timestamp, step, ...)` primary key like no real client does.
 */
export function pointTimestamp(request: number, step: number): number {
  return 1_700_000_000_000 + request * STEPS + step;
}

/** A log-batch body of 1000 metrics: 10 keys x 100 steps, steps offset by the request index. */
export function batchBody(runId: string, request: number): string {
  const metrics = [];
  for (let k = 0; k < KEYS; k++) {
    for (let s = 0; s < STEPS; s++) {
      metrics.push({
        key: `m${k}`,
        value: Math.sin(s + k),
        timestamp: pointTimestamp(request, s),
        step: request * STEPS + s,
      });
    }
  }
  return JSON.stringify({ run_id: runId, metrics });
}

export interface LogBatchResult {
  medianMs: number;
  p95Ms: number;
  metricsPerSec: number;
  errors: number;
  lostPoints: number;
}

async function newRun(client: BenchClient): Promise<string> {
  return (await client.json("POST", "/api/2.0/mlflow/runs/create", { experiment_id: "0" })).run.info.run_id;
}

async function storedPoints(client: BenchClient, runId: string): Promise<number> {
  let n = 0;
  for (let k = 0; k < KEYS; k++) {
    const h = await client.json("GET", `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m${k}`);
    n += h.metrics?.length ?? 0;
  }
  return n;
}

/**
 * Requests to another run before the clock starts: a server that has just started runs its code
 * in V8's interpreter and takes 20-40 more requests to reach steady speed (the first 50 requests
 * ran at ~75% of the speed of the next 250 on this machine). A server in use is warm.
 */
export const WARM_UP_REQUESTS = 30;

/** 50 requests of 1000 metrics to one run, one after another, after a warm-up. */
export async function logBatchOneRun(client: BenchClient, requests = 50): Promise<LogBatchResult> {
  const runId = await newRun(client);
  const bodies = Array.from({ length: requests }, (_, i) => batchBody(runId, i));
  const warm = await newRun(client);
  for (let i = 0; i < WARM_UP_REQUESTS; i++) {
    await client.send("POST", "/api/2.0/mlflow/runs/log-batch", batchBody(warm, i));
  }
  const durations: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (const body of bodies) {
    const t = performance.now();
    const r = await client.send("POST", "/api/2.0/mlflow/runs/log-batch", body);
    durations.push(performance.now() - t);
    if (r.status !== 200) errors++;
  }
  const total = (performance.now() - t0) / 1000;
  const stored = await storedPoints(client, runId);
  return {
    medianMs: median(durations),
    p95Ms: p95(durations),
    metricsPerSec: (requests * KEYS * STEPS) / total,
    errors,
    lostPoints: requests * KEYS * STEPS - stored,
  };
}

/** `clients` concurrent writers, each logging `requests` batches of 1000 metrics to its own run. */
export async function logBatchConcurrent(client: BenchClient, clients = 16, requests = 20): Promise<LogBatchResult> {
  const runs = await Promise.all(Array.from({ length: clients }, () => newRun(client)));
  // bodies are built before the clock starts, so the timing is the server's, not the client's
  const bodies = runs.map((runId) => Array.from({ length: requests }, (_, i) => batchBody(runId, i)));
  const durations: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    runs.map(async (_runId, c) => {
      for (let i = 0; i < requests; i++) {
        const body = bodies[c]?.[i] as string;
        const t = performance.now();
        const r = await client.send("POST", "/api/2.0/mlflow/runs/log-batch", body);
        durations.push(performance.now() - t);
        if (r.status !== 200) errors++;
      }
    }),
  );
  const total = (performance.now() - t0) / 1000;
  let stored = 0;
  for (const runId of runs) stored += await storedPoints(client, runId);
  return {
    medianMs: median(durations),
    p95Ms: p95(durations),
    metricsPerSec: (clients * requests * KEYS * STEPS) / total,
    errors,
    lostPoints: clients * requests * KEYS * STEPS - stored,
  };
}
