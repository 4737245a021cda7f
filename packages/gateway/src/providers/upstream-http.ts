import { Agent, type Dispatcher, errors as undiciErrors } from "undici";
import { UpstreamConnectionError, UpstreamError, UpstreamTimeoutError } from "../errors.js";
import type { Redactor } from "../redact.js";

/** A parsed upstream base URL: `origin` for the connection pool, `path` without a trailing slash. */
export interface Base {
  origin: string;
  path: string;
}

export function parseBase(url: string): Base {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname.replace(/\/+$/, "") };
}

export interface UpstreamRequest {
  base: Base;
  /** Appended to base.path; may carry a query string. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The provider's name in error messages. */
  provider: string;
  method?: "POST" | "GET";
  /** A raw body to send instead of JSON-encoding `body` (signed requests must send the exact bytes). */
  rawBody?: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * The upstream HTTP client: one undici Agent (keep-alive pools per origin) shared by every
 * provider and every configuration generation. Non-2xx answers become UpstreamError with the
 * provider's message (never its headers); timeouts and connection failures get their own types.
 */
export class UpstreamHttp {
  readonly agent: Dispatcher;

  constructor(
    private readonly redactor: Redactor,
    agent?: Dispatcher,
  ) {
    this.agent =
      agent ??
      new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connections: 256,
        pipelining: 1,
      });
  }

  /** Sends a request and parses the JSON answer. */
  async json(r: UpstreamRequest): Promise<unknown> {
    const res = await this.send(r);
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      throw this.translate(e, r);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new UpstreamError(0, `${r.provider} returned a response that is not JSON.`);
    }
  }

  /** Sends a request and hands back the body stream once the status is known to be 2xx. */
  async stream(r: UpstreamRequest): Promise<AsyncIterable<Buffer>> {
    const res = await this.send(r);
    const body = res.body;
    const translate = (e: unknown) => this.translate(e, r);
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const chunk of body) yield chunk as Buffer;
        } catch (e) {
          throw translate(e);
        } finally {
          if (!body.destroyed) body.destroy();
        }
      },
    };
  }

  private async send(r: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.agent.request({
        origin: r.base.origin,
        path: r.base.path + r.path,
        method: r.method ?? "POST",
        headers: r.method === "GET" ? r.headers : { "content-type": "application/json", ...r.headers },
        body: r.method === "GET" ? null : (r.rawBody ?? JSON.stringify(r.body)),
        headersTimeout: r.timeoutMs,
        bodyTimeout: r.timeoutMs,
        signal: r.signal ?? null,
      });
    } catch (e) {
      throw this.translate(e, r);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    let text = "";
    try {
      for await (const chunk of res.body) {
        text += chunk;
        if (text.length > MAX_ERROR_BODY) break;
      }
    } catch {
      // the status is what matters
    }
    res.body.destroy();
    const retryAfter = parseRetryAfter(res.headers["retry-after"]);
    const message = this.redactor.redact(extractMessage(text) ?? `HTTP ${res.statusCode}`);
    throw new UpstreamError(res.statusCode, `${r.provider} returned HTTP ${res.statusCode}: ${message}`, retryAfter);
  }

  private translate(e: unknown, r: UpstreamRequest): Error {
    if (e instanceof UpstreamError || e instanceof UpstreamTimeoutError || e instanceof UpstreamConnectionError)
      return e;
    if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError)
      return new UpstreamTimeoutError(`${r.provider} did not answer within ${r.timeoutMs / 1000} s.`);
    if ((e as Error)?.name === "AbortError" || e instanceof undiciErrors.RequestAbortedError)
      return new UpstreamConnectionError(`The request to ${r.provider} was cancelled.`);
    const code = (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.name ?? "error";
    return new UpstreamConnectionError(`Cannot reach ${r.provider} (${code}).`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseRetryAfter(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, Math.ceil((d - Date.now()) / 1000)) : undefined;
}

/** The human message of an upstream error body, across the shapes providers use. */
export function extractMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(trimmed);
  } catch {
    return trimmed.length > 500 ? `${trimmed.slice(0, 500)}...` : trimmed;
  }
  if (Array.isArray(v)) v = v[0];
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== "object") return String(v);
  const err = o.error;
  if (typeof err === "string") return err;
  if (err && typeof err === "object") {
    const m = (err as Record<string, unknown>).message;
    if (typeof m === "string") return m;
  }
  for (const k of ["message", "detail", "Message", "error_message"]) {
    const m = o[k];
    if (typeof m === "string") return m;
    if (m !== undefined) return JSON.stringify(m);
  }
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}...` : trimmed;
}
