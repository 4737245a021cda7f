import { type ErrorCode, errorCodeForStatus, MlflowError } from "@mlflow-ts/protocol";

/**
 * The deployments client for an MLflow (or mlflow-ts) gateway, like Python's
 * `mlflow.deployments.get_deploy_client("http://...")`. Uses only the global `fetch`, so it runs
 * in Node 18+ and browsers.
 */

export interface Endpoint {
  name: string;
  endpoint_type: string;
  model: { name: string | null; provider: string | null };
  /** Absolute URL of the endpoint's invocations route. */
  endpoint_url: string;
  limit: { calls: number; key: string | null; renewal_period: string } | null;
}

export interface DeployClientOptions {
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Extra headers on every request (auth in front of the gateway). */
  headers?: Record<string, string>;
  /** Per-request timeout for predict, ms (MLflow's default: 120 s). */
  timeoutMs?: number;
  /** Attempts for responses with status 429, 500, 502 or 503 (timeouts are not retried), default 3. */
  maxAttempts?: number;
  /** First backoff between attempts, ms, doubled each time; default 500. */
  backoffMs?: number;
}

/** An error answer from the gateway: its status, error code and message. */
export class DeploymentsError extends MlflowError {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message);
    this.name = "DeploymentsError";
    this.status = status;
  }

  override get httpStatus(): number {
    return this.status;
  }
}

const RETRY_STATUSES = new Set([429, 500, 502, 503]);

export class MlflowDeploymentClient {
  readonly target: string;
  private readonly fetchFn: typeof fetch;
  private readonly opts: Required<Omit<DeployClientOptions, "fetch">>;

  constructor(target: string, options: DeployClientOptions = {}) {
    this.target = target.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    this.opts = {
      headers: options.headers ?? {},
      timeoutMs: options.timeoutMs ?? 120_000,
      maxAttempts: options.maxAttempts ?? 3,
      backoffMs: options.backoffMs ?? 500,
    };
  }

  /** All endpoints, following `next_page_token`. */
  async listEndpoints(): Promise<Endpoint[]> {
    const out: Endpoint[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10_000; pages++) {
      const q = token ? `?page_token=${encodeURIComponent(token)}` : "";
      const body = (await this.json("GET", `/api/2.0/endpoints/${q}`)) as {
        endpoints?: Endpoint[];
        next_page_token?: string;
      };
      for (const e of body.endpoints ?? []) out.push(this.absolute(e));
      token = body.next_page_token;
      if (!token) break;
    }
    return out;
  }

  async getEndpoint(endpoint: string): Promise<Endpoint> {
    return this.absolute((await this.json("GET", `/api/2.0/endpoints/${encodeURIComponent(endpoint)}`)) as Endpoint);
  }

  /** Queries an endpoint with a unified request (`messages`, `prompt` or `input`). */
  async predict(args: { endpoint: string; inputs: Record<string, unknown> }): Promise<unknown> {
    return this.json("POST", `/endpoints/${encodeURIComponent(args.endpoint)}/invocations`, args.inputs);
  }

  /** Streams an endpoint's answer (chat and completions): yields each SSE chunk, parsed. */
  async *predictStream(args: { endpoint: string; inputs: Record<string, unknown> }): AsyncGenerator<unknown> {
    const res = await this.send(
      "POST",
      `/endpoints/${encodeURIComponent(args.endpoint)}/invocations`,
      { ...args.inputs, stream: true },
      false,
    );
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    let data: string[] = [];
    const flush = function* (): Generator<unknown> {
      if (data.length === 0) return;
      const text = data.join("\n");
      data = [];
      if (text === "[DONE]") return;
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (parsed && (parsed.error_code !== undefined || parsed.error !== undefined) && parsed.choices === undefined) {
        const msg = typeof parsed.message === "string" ? parsed.message : JSON.stringify(parsed.error ?? parsed);
        throw new DeploymentsError(502, (parsed.error_code as ErrorCode) ?? "INTERNAL_ERROR", msg);
      }
      yield parsed;
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, "");
          buf = buf.slice(nl + 1);
          if (line === "") yield* flush();
          else if (line.startsWith("data:")) data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
          nl = buf.indexOf("\n");
        }
      }
      buf += decoder.decode();
      if (buf.startsWith("data:")) data.push(buf.slice(buf.charCodeAt(5) === 32 ? 6 : 5));
      yield* flush();
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => {});
    }
  }

  private absolute(e: Endpoint): Endpoint {
    return { ...e, endpoint_url: new URL(e.endpoint_url, `${this.target}/`).toString() };
  }

  private async json(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, body, true);
    return res.json();
  }

  private async send(method: "GET" | "POST", path: string, body: unknown, timeout: boolean): Promise<Response> {
    const headers: Record<string, string> = { ...this.opts.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(this.target + path, {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
          signal: timeout ? AbortSignal.timeout(this.opts.timeoutMs) : null,
        });
      } catch (e) {
        if ((e as Error)?.name === "TimeoutError")
          throw new DeploymentsError(
            400,
            "BAD_REQUEST",
            `The request to ${path} timed out after ${this.opts.timeoutMs / 1000} s. Raise timeoutMs, or make the request smaller.`,
          );
        throw e;
      }
      if (res.ok) return res;
      if (RETRY_STATUSES.has(res.status) && attempt < this.opts.maxAttempts) {
        await res.body?.cancel().catch(() => {});
        const retryAfter = Number(res.headers.get("retry-after"));
        const wait =
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : this.opts.backoffMs * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, Math.min(wait, 30_000)));
        continue;
      }
      const text = await res.text();
      let code: ErrorCode = errorCodeForStatus(res.status);
      let message = text;
      try {
        const o = JSON.parse(text) as {
          error_code?: ErrorCode;
          message?: string;
          detail?: string;
          error?: { message?: string } | string;
        };
        if (o.error_code) code = o.error_code;
        message = o.message ?? o.detail ?? (typeof o.error === "string" ? o.error : o.error?.message) ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new DeploymentsError(res.status, code, `${res.status} ${res.statusText} for ${method} ${path}: ${message}`);
    }
  }
}

/** `get_deploy_client(target_uri)`: an `http(s)://` gateway URL gives an MlflowDeploymentClient. */
export function getDeployClient(targetUri: string, options?: DeployClientOptions): MlflowDeploymentClient {
  if (!/^https?:\/\//i.test(targetUri))
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Unsupported deployments target '${targetUri}': mlflow-ts supports http(s):// gateway URLs (databricks, openai and plugin targets are not available).`,
    );
  return new MlflowDeploymentClient(targetUri, options);
}
