import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningGateway, startGateway } from "../server/gateway-server.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
type AnyJson = any;

export interface TestGateway {
  url: string;
  dir: string;
  configPath: string;
  logs: string[];
  running: RunningGateway;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: AnyJson; text: string; headers: Headers }>;
  /** POSTs with `stream: true` and returns the parsed `data:` events (and the raw text). */
  stream(path: string, body: unknown): Promise<{ status: number; events: AnyJson[]; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts an in-process gateway on a free port from YAML text, capturing its log lines. */
export async function startTestGateway(
  yaml: string,
  opts: { env?: Record<string, string>; limitsStorage?: string; watch?: boolean } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gateway-"));
  const configPath = join(dir, "config.yaml");
  writeFileSync(configPath, yaml);
  const logs: string[] = [];
  const running = await startGateway({
    configPath,
    host: "127.0.0.1",
    port: 0,
    env: opts.env ?? {},
    limitsStorage: opts.limitsStorage,
    watch: opts.watch ?? false,
    log: (m) => logs.push(m),
  });
  const url = running.url;
  return {
    url,
    dir,
    configPath,
    logs,
    running,
    async call(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
    async stream(path, body) {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...(body as object), stream: true }),
      });
      const text = await res.text();
      const events = text
        .split("\n\n")
        .map((b) => b.trim())
        .filter((b) => b.startsWith("data: "))
        .map((b) => b.slice(6))
        .filter((d) => d !== "[DONE]")
        .map((d) => JSON.parse(d));
      return { status: res.status, events, text, headers: res.headers };
    },
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
