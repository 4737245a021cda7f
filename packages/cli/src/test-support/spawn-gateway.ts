import { type ChildProcess, spawn } from "node:child_process";
import { CLI_BIN } from "./spawn-cli.js";

export interface CliGateway {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches (polls; bounded by timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `mlflow-ts gateway start` on a free port and waits until it listens. */
export function startCliGateway(args: string[], env: Record<string, string> = {}): Promise<CliGateway> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, "gateway", "start", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let out = "";
    let started = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway did not start: ${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve({
          child,
          url: m[1] as string,
          output: () => out,
          async waitFor(pattern, timeoutMs = 10_000) {
            const end = Date.now() + timeoutMs;
            while (!pattern.test(out)) {
              if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in:\n${out}`);
              await new Promise((r) => setTimeout(r, 25));
            }
          },
          stop: () =>
            new Promise((res) => {
              if (child.exitCode !== null || child.signalCode !== null) return res();
              child.once("exit", () => res());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`gateway exited with ${code}: ${out}`));
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
type AnyJson = any;

export async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; json: AnyJson; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
