import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A real HTTP hop between the client and the test server: it records what the client sends,
 * can answer some requests itself (`intercept`), and can go down and come back on the same port
 * (an outage the client sees as refused connections).
 */
export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  connections: number;
  intercept:
    | ((r: RecordedRequest) => { status: number; body?: string; headers?: Record<string, string> } | undefined)
    | undefined;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const t = new URL(target);
  let server: Server;
  let port = 0;
  const proxy: RecordingProxy = {
    url: "",
    requests: [],
    connections: 0,
    intercept: undefined,
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    up: () => listen(),
    close: () => proxy.down(),
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks);
        let body: unknown;
        if (String(req.headers["content-type"] ?? "").includes("json")) {
          try {
            body = JSON.parse(raw.toString("utf8"));
          } catch {
            body = undefined;
          }
        }
        const rec: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", body, headers: req.headers };
        proxy.requests.push(rec);
        const answer = proxy.intercept?.(rec);
        if (answer) {
          res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
          res.end(answer.body ?? "");
          return;
        }
        const fwd = request(
          {
            host: t.hostname,
            port: t.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: t.host },
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        fwd.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        fwd.end(raw);
      });
      server.on("connection", () => {
        proxy.connections++;
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        proxy.url = `http://127.0.0.1:${port}`;
        resolve();
      });
    });
  await listen();
  return proxy;
}
