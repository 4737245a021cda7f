import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const CLI_BIN = join(dirname(require.resolve("@mlflow-ts/cli/package.json")), "bin", "mlflow-ts.js");

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** ms from spawn to the first 200 on /health */
  coldStartMs: number;
  rssMb(): number;
  peakRssMb(): number;
  stop(): Promise<void>;
}

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Polls `${url}/health` every 2 ms until the first 200; fails if the child exits or after 30 s. */
export async function waitForHealth(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("server did not become healthy in 30 s");
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Spawns `mlflow-ts server` on a free port and polls /health until the first 200. */
export async function startServerProcess(
  backendUri: string,
  artifactsDir: string,
  port: number,
): Promise<ServerProcess> {
  const t0 = performance.now();
  // e.g. MLFLOW_TS_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
  const nodeArgs = (process.env.MLFLOW_TS_BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      CLI_BIN,
      "server",
      "--port",
      String(port),
      "--backend-store-uri",
      backendUri,
      "--artifacts-destination",
      artifactsDir,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(child, url);
  const coldStartMs = performance.now() - t0;
  const pid = child.pid as number;
  return {
    child,
    url,
    coldStartMs,
    rssMb: () => procStatus(pid, "VmRSS"),
    peakRssMb: () => procStatus(pid, "VmHWM"),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
