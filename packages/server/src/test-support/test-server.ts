import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, type ScratchDatabase } from "@mlflow-ts/store/testing";
import { resolveServerConfig, type ServerFlags } from "../config.js";
import { type RunningServer, startServer } from "../server.js";

export interface TestServer {
  url: string;
  dir: string;
  running: RunningServer;
  /** Calls an API route; `body` becomes JSON (POST etc.) or the query string (GET). */
  call(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<ApiResult>;
  close(): Promise<void>;
}

export interface ApiResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  json: any;
  text: string;
  headers: Headers;
}

/**
 * Starts a real server on a free port with a fresh database and a temp artifacts directory. The
 * database is a temp SQLite file, or a fresh PostgreSQL database when the test runner sets
 * `MLFLOW_TS_TEST_BACKEND=postgres` (see `@mlflow-ts/store/testing`); an explicit
 * `backendStoreUri` flag wins.
 */
export async function startTestServer(flags: ServerFlags = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-test-"));
  let scratch: ScratchDatabase | undefined;
  if (!flags.artifactsOnly && flags.backendStoreUri === undefined)
    scratch = await createScratchDatabase(undefined, { dir });
  const config = resolveServerConfig({
    host: "127.0.0.1",
    port: 0,
    ...(scratch ? { backendStoreUri: scratch.uri } : {}),
    artifactsDestination: join(dir, "mlartifacts"),
    ...flags,
  });
  let running: RunningServer;
  try {
    running = await startServer(config, { log: () => {} });
  } catch (e) {
    await scratch?.drop();
    throw e;
  }
  const url = running.url;
  return {
    url,
    dir,
    running,
    call: (method, path, body, headers) => call(url, method, path, body, headers),
    async close() {
      await running.close();
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a request with the path exactly as given (fetch would normalize `%2e%2e` and `..`). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  let url = `${base}${path}`;
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (method === "GET") {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) {
        for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
      }
      url += `?${q}`;
    } else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
    }
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
