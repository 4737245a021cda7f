import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "mlflow-ts.js");
export const REPO_ROOT = join(dirname(CLI_BIN), "..", "..", "..");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface CliServer {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts `mlflow-ts server` in a child process on a free port and waits until it listens. */
export function startCliServer(args: string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<CliServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, "server", "--port", "0", ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
      ...(env ? { env } : {}),
    });
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start: ${stderr}`));
    }, 20_000);
    child.stderr.on("data", (d) => {
      stderr += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1] as string,
          stop: () =>
            new Promise((res) => {
              if (child.exitCode !== null || child.signalCode !== null) return res();
              child.once("exit", () => res());
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}
