import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: IncomingMessage["headers"];
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  json: any;
}

export type FakeHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler. */
  handle(fn: FakeHandler): void;
  close(): Promise<void>;
}

/** A fake provider on 127.0.0.1:<free port>; the handler speaks the provider's wire format. */
export async function startFakeUpstream(handler: FakeHandler): Promise<FakeUpstream> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const text = Buffer.concat(parts).toString("utf8");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const rec: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, text, json };
    requests.push(rec);
    try {
      await current(rec, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(fn) {
      current = fn;
    },
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function replyJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes server-sent events (`data` objects are JSON-encoded), with a pause between them to exercise chunking. */
export async function replySse(
  res: ServerResponse,
  events: Array<{ event?: string; data: unknown }>,
  opts: { delayMs?: number; crlf?: boolean } = {},
): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const nl = opts.crlf ? "\r\n" : "\n";
  for (const ev of events) {
    const data = typeof ev.data === "string" ? ev.data : JSON.stringify(ev.data);
    res.write(`${ev.event ? `event: ${ev.event}${nl}` : ""}data: ${data}${nl}${nl}`);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
  }
  res.end();
}

/** Writes newline-delimited JSON (Cohere's stream format). */
export async function replyNdjson(res: ServerResponse, lines: unknown[]): Promise<void> {
  res.writeHead(200, { "content-type": "application/stream+json" });
  for (const l of lines) res.write(`${JSON.stringify(l)}\n`);
  res.end();
}
