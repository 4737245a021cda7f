import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ShutdownTarget } from "../platform.js";

/** How long the exit flush may take before unsent values are reported (MLFLOW_TS_EXIT_FLUSH_TIMEOUT, s). */
function exitTimeoutMs(): number {
  const v = Number(process.env.MLFLOW_TS_EXIT_FLUSH_TIMEOUT);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 60_000;
}

const targets = new Set<ShutdownTarget>();
let installed = false;
let flushing = false;

/**
 * Flush on exit, in three ways:
 * - the event loop runs dry (`beforeExit`): flush and end active runs FINISHED, asynchronously;
 * - `process.exit()` or an uncaught exception (`exit`, synchronous): the remaining requests go to
 *   a short-lived child process that sends them before this one is gone; runs end FINISHED
 *   (exit code 0) or FAILED;
 * - SIGINT / SIGTERM: flush, end runs KILLED, then die of the signal as before.
 */
export function registerShutdown(target: ShutdownTarget): void {
  targets.add(target);
  if (installed) return;
  installed = true;
  process.on("beforeExit", (code) => {
    if (flushing) return;
    const pending = [...targets].filter((t) => t.hasPendingWork());
    if (pending.length === 0) return;
    flushing = true;
    const status = code === 0 ? "FINISHED" : "FAILED";
    const timer = setTimeout(() => process.exit(code), exitTimeoutMs());
    void Promise.allSettled(pending.map((t) => t.shutdown(status))).finally(() => {
      clearTimeout(timer);
      flushing = false;
    });
  });
  process.on("exit", (code) => {
    const status = code === 0 ? "FINISHED" : "FAILED";
    const work = [...targets].filter((t) => t.hasPendingWork()).map((t) => t.pendingRequests(status));
    if (work.every((w) => w.requests.length === 0)) return;
    const child = fileURLToPath(new URL("./exit-flush.js", import.meta.url));
    const deadline = exitTimeoutMs();
    const r = spawnSync(process.execPath, [child], {
      input: JSON.stringify({ work, deadlineMs: deadline }),
      stdio: ["pipe", "inherit", "inherit"],
      timeout: deadline + 5000,
    });
    if (r.status !== 0) {
      const n = work.reduce((s, w) => s + w.requests.length, 0);
      process.stderr.write(`mlflow: ${n} request(s) with logged values could not be sent before exit.\n`);
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      process.off(signal, handler);
      const pending = [...targets].filter((t) => t.hasPendingWork());
      const timer = setTimeout(() => process.kill(process.pid, signal), exitTimeoutMs());
      void Promise.allSettled(pending.map((t) => t.shutdown("KILLED"))).finally(() => {
        clearTimeout(timer);
        // Let the signal do what it would have done (unless the program handles it itself).
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.on(signal, handler);
  }
}
