import { errorCodeForStatus, MlflowError } from "../errors.js";
import { parseJson } from "./json.js";

/** Credentials as MLflow's clients take them: Basic from a user name and password, else Bearer. */
export interface Credentials {
  /** MLFLOW_TRACKING_USERNAME */
  username?: string | undefined;
  /** MLFLOW_TRACKING_PASSWORD */
  password?: string | undefined;
  /** MLFLOW_TRACKING_TOKEN, used when no user name and password are given. */
  token?: string | undefined;
}

/** MLflow's retry settings (MLFLOW_HTTP_REQUEST_MAX_RETRIES, _BACKOFF_FACTOR, _BACKOFF_JITTER). */
export interface RetryOptions {
  /** Retries after the first attempt (default 7). */
  maxRetries?: number;
  /** The n-th retry waits `backoffFactorMs * 2^(n-1)` (default 2000), capped at `backoffMaxMs`. */
  backoffFactorMs?: number;
  /** Up to this much random delay is added to each wait (default 1000). */
  backoffJitterMs?: number;
  /** Longest wait between two attempts (default 120000). */
  backoffMaxMs?: number;
}

export interface TransportOptions extends Credentials {
  /** `http(s)://[user:password@]host[:port][/base path]` */
  trackingUri: string;
  retry?: RetryOptions;
  /** Per attempt, until the response headers arrive (MLFLOW_HTTP_REQUEST_TIMEOUT, default 120 s). */
  timeoutMs?: number;
  /** Sent with every request (the Node entry adds a User-Agent). */
  headers?: Record<string, string>;
  /** A fetch implementation; defaults to the global one (keep-alive in Node and browsers). */
  fetch?: typeof fetch;
  /**
   * Steps and timestamps (MLflow int64 fields) beyond `Number.MAX_SAFE_INTEGER` arrive as their
   * exact decimal text (a string) instead of a rounded number; needs `JSON.parse` source text
   * access (see `http/json.ts`). Off by default: fields typed `number` then stay numbers.
   */
  exactInt64?: boolean;
}

/** Statuses MLflow's client retries (urllib3 status_forcelist). */
export const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface RequestOptions {
  /** Only idempotent calls are retried after a transient failure (the default for GET). */
  idempotent?: boolean;
  /** Overrides the transport's retry count for this call (the log queue retries on its own). */
  maxRetries?: number;
  headers?: Record<string, string>;
}

const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 7,
  backoffFactorMs: 2000,
  backoffJitterMs: 1000,
  backoffMaxMs: 120_000,
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function base64(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * HTTP to one tracking server: JSON calls under `/api/2.0`, raw calls for artifacts, MLflow's
 * auth headers, retries with exponential backoff for idempotent calls, and a timeout.
 */
export class Transport {
  /** Tracking URI without credentials and trailing slash. */
  readonly baseUrl: string;
  readonly retry: Required<RetryOptions>;
  readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;
  private readonly exactInt64: boolean;

  constructor(options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.trackingUri);
    } catch {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid tracking URI '${options.trackingUri}'.`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Tracking URI '${options.trackingUri}' is not supported: the TypeScript client talks to a tracking server over http(s).`,
      );
    }
    const username = options.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = options.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
    url.username = "";
    url.password = "";
    this.baseUrl = url.href.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.headers = { ...options.headers };
    if (username !== undefined && password !== undefined) {
      this.headers.Authorization = `Basic ${base64(`${username}:${password}`)}`;
    } else if (options.token) {
      this.headers.Authorization = `Bearer ${options.token}`;
    }
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.exactInt64 = options.exactInt64 ?? false;
  }

  /** Headers for a request to `url`: auth only goes to the tracking server's own origin. */
  headersFor(url: string, extra?: Record<string, string>): Record<string, string> {
    const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.headers)) if (sameOrigin || k !== "Authorization") out[k] = v;
    return { ...out, ...extra };
  }

  /** GET with a query string (repeated keys for lists, booleans as true/false). */
  get<T>(path: string, query: Query = {}, options: RequestOptions = {}): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
      else q.append(k, String(v));
    }
    const qs = q.toString();
    return this.json<T>("GET", `${path}${qs ? `?${qs}` : ""}`, undefined, { idempotent: true, ...options });
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.json<T>("POST", path, body, options);
  }

  patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.json<T>("PATCH", path, body, options);
  }

  delete<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.json<T>("DELETE", path, body, options);
  }

  /** A JSON call; `path` is relative to the tracking URI (e.g. `/api/2.0/mlflow/runs/get`) or a full URL. */
  async json<T>(method: string, path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    const url = /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = text === undefined ? options.headers : { "Content-Type": "application/json", ...options.headers };
    return this.send(
      method,
      url,
      () => text,
      { ...options, headers },
      async (res) => {
        const raw = await res.text();
        let parsed: unknown;
        try {
          parsed = raw === "" ? {} : parseJson(raw, this.exactInt64);
        } catch {
          parsed = undefined;
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
          throw new MlflowError(
            "INTERNAL_ERROR",
            `API request to ${path} returned a body that is not a JSON object: ${raw.slice(0, 200)}`,
            { httpStatus: res.status },
          );
        }
        return parsed as T;
      },
    );
  }

  /**
   * One HTTP exchange with retries. `body` is called once per attempt (a stream cannot be sent
   * twice); `read` consumes a 2xx response. Non-2xx answers become MlflowError.
   */
  async send<T>(
    method: string,
    url: string,
    body: () => BodyInit | undefined,
    options: RequestOptions,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const maxRetries = options.idempotent ? (options.maxRetries ?? this.retry.maxRetries) : 0;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.timeoutMs);
      let res: Response;
      try {
        const payload = body();
        const init: RequestInit & { duplex?: "half" } = {
          method,
          headers: this.headersFor(url, options.headers),
          signal: controller.signal,
        };
        if (payload !== undefined) {
          init.body = payload;
          if (typeof ReadableStream !== "undefined" && payload instanceof ReadableStream) init.duplex = "half";
        }
        res = await this.fetchImpl(url, init);
      } catch (e) {
        clearTimeout(timer);
        const error = controller.signal.aborted
          ? new MlflowError("DEADLINE_EXCEEDED", `API request to ${url} timed out after ${this.timeoutMs} ms.`, {
              cause: e,
            })
          : new MlflowError("TEMPORARILY_UNAVAILABLE", `API request to ${url} failed: ${describe(e)}`, {
              cause: e,
            });
        if (attempt < maxRetries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw error;
      }
      try {
        if (res.ok) return await read(res);
        if (RETRY_STATUSES.has(res.status) && attempt < maxRetries) {
          await res.body?.cancel().catch(() => {});
          await sleep(retryAfterMs(res) ?? this.backoff(attempt));
          continue;
        }
        throw await errorFrom(res, url);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** urllib3's backoff: factor * 2^(n-1) for the n-th retry, capped, plus jitter. */
  backoff(attempt: number): number {
    const { backoffFactorMs, backoffJitterMs, backoffMaxMs } = this.retry;
    return Math.min(backoffMaxMs, backoffFactorMs * 2 ** attempt) + Math.random() * backoffJitterMs;
  }
}

function retryAfterMs(res: Response): number | undefined {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const seconds = Number(h);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(h);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const base = e instanceof Error ? e.message : String(e);
  return cause?.code ? `${base} (${cause.code})` : cause?.message ? `${base} (${cause.message})` : base;
}

/** MLflow JSON errors keep their code and message; other bodies get a code from the status. */
export async function errorFrom(res: Response, url: string): Promise<MlflowError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (body && typeof body === "object" && typeof body.error_code === "string") {
      return new MlflowError(body.error_code as MlflowError["errorCode"], String(body.message ?? ""), {
        httpStatus: res.status,
      });
    }
  } catch {
    // not JSON: fall through
  }
  const path = new URL(url).pathname;
  return new MlflowError(
    errorCodeForStatus(res.status),
    `API request to endpoint ${path} failed with error code ${res.status} != 200. Response body: '${text.slice(0, 500)}'`,
    { httpStatus: res.status },
  );
}
