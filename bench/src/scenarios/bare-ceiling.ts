import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchClient } from "../http-client.js";
import { waitForHealth } from "../server-process.js";
import { batchBody, WARM_UP_REQUESTS } from "./log-batch.js";

const BARE_SERVER = join(dirname(fileURLToPath(import.meta.url)), "..", "bare-server.js");

/**
 * The one-run log-batch scenario (the same warm-up, then 50 timed, one after another) against
 * bare-server.ts on a fresh SQLite file: HTTP, JSON.parse and the store's writes, nothing else.
 */
export async function bareCeilingMetricsPerSec(port: number, requests = 50): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-bare-"));
  const child = spawn(process.execPath, [BARE_SERVER, `sqlite:///${join(dir, "bare.db")}`, String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const client = new BenchClient(`http://127.0.0.1:${port}`);
  try {
    await waitForHealth(child, `http://127.0.0.1:${port}`);
    // bodies are built before the clock starts, as in logBatchOneRun
    const bodies = Array.from({ length: WARM_UP_REQUESTS + requests }, (_, i) => batchBody("bare", i));
    const send = async (i: number) => {
      const r = await client.send("POST", "/log-batch", bodies[i]);
      if (r.status !== 200) throw new Error(`bare server answered ${r.status}`);
    };
    for (let i = 0; i < WARM_UP_REQUESTS; i++) await send(i);
    const t0 = performance.now();
    for (let i = WARM_UP_REQUESTS; i < WARM_UP_REQUESTS + requests; i++) await send(i);
    return (requests * 1000) / ((performance.now() - t0) / 1000);
  } finally {
    client.close();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
