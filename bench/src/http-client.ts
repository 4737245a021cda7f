import { Agent, request } from "node:http";

/** A small keep-alive JSON client, so the benchmark measures the server, not the client. */
export class BenchClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /** Sends a request and resolves with the status and raw body text. */
  send(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {},
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on("data", (c: Buffer) => parts.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** JSON call that throws on non-200. */
  // biome-ignore lint/suspicious/noExplicitAny: benchmark reads arbitrary JSON
  async json(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.send(method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path} -> ${r.status}: ${r.text.slice(0, 300)}`);
    return JSON.parse(r.text);
  }

  close(): void {
    this.agent.destroy();
  }
}

export function query(params: Record<string, string | number | (string | number)[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, String(x));
  return q.toString();
}
