import { GatewayError, UpstreamConnectionError, UpstreamError, UpstreamTimeoutError } from "../errors.js";
import type { Metrics, UpstreamStats } from "../metrics/metrics.js";
import type { CallOptions, Provider } from "../providers/provider.js";
import type {
  AnyChunk,
  AnyRequest,
  AnyResponse,
  ChatRequest,
  ChatResponse,
  CompletionsRequest,
  CompletionsResponse,
  EmbeddingsRequest,
  EndpointType,
} from "../schemas/unified.js";
import { type EndpointRuntime, type ModelRuntime, pickModel } from "./gateway-runtime.js";

export type InvokeResult =
  | { stream: false; body: AnyResponse; upstream: UpstreamStats; model: ModelRuntime }
  | { stream: true; chunks: AsyncIterable<AnyChunk>; upstream: UpstreamStats; model: ModelRuntime };

interface Classified {
  retryable: boolean;
  fallback: boolean;
  timeout: boolean;
  retryAfter: number | undefined;
  client: GatewayError;
}

/**
 * Maps a failure to what the client sees and what the gateway may do next. Upstream 429 stays
 * 429; a request the provider refused as malformed (400/413/422) is the client's 400; every
 * other upstream failure is 502; timeouts are 504. The provider's message is kept, its headers never.
 */
export function classify(e: unknown): Classified {
  if (e instanceof UpstreamTimeoutError)
    return {
      retryable: true,
      fallback: true,
      timeout: true,
      retryAfter: undefined,
      client: new GatewayError(504, "DEADLINE_EXCEEDED", e.message),
    };
  if (e instanceof UpstreamConnectionError)
    return {
      retryable: true,
      fallback: true,
      timeout: false,
      retryAfter: undefined,
      client: new GatewayError(502, "TEMPORARILY_UNAVAILABLE", e.message),
    };
  if (e instanceof UpstreamError) {
    const s = e.status;
    if (s === 429)
      return {
        retryable: true,
        fallback: true,
        timeout: false,
        retryAfter: e.retryAfter,
        client: new GatewayError(429, "REQUEST_LIMIT_EXCEEDED", e.message, e.retryAfter),
      };
    if (s === 400 || s === 413 || s === 422)
      return {
        retryable: false,
        fallback: false,
        timeout: false,
        retryAfter: undefined,
        client: new GatewayError(400, "BAD_REQUEST", e.message),
      };
    const retryable = s === 408 || s === 409 || s >= 500;
    return {
      retryable,
      fallback: true,
      timeout: false,
      retryAfter: e.retryAfter,
      client: new GatewayError(502, "TEMPORARILY_UNAVAILABLE", s === 0 ? `Upstream failure: ${e.message}` : e.message),
    };
  }
  if (e instanceof GatewayError)
    return { retryable: false, fallback: false, timeout: false, retryAfter: undefined, client: e };
  throw e;
}

async function* single<T>(p: Promise<T>): AsyncGenerator<T> {
  yield await p;
}

function call(p: Provider, type: EndpointType, req: AnyRequest, stream: boolean, opts: CallOptions): Promise<unknown> {
  switch (type) {
    case "llm/v1/chat":
      if (stream)
        return p.chatStream
          ? p.chatStream(req as ChatRequest, opts)
          : p.chat!(req as ChatRequest, opts).then((r) => single(Promise.resolve(asChatChunk(r))));
      return p.chat!(req as ChatRequest, opts);
    case "llm/v1/completions":
      if (stream)
        return p.completionsStream
          ? p.completionsStream(req as CompletionsRequest, opts)
          : p.completions!(req as CompletionsRequest, opts).then((r) => single(Promise.resolve(asCompletionsChunk(r))));
      return p.completions!(req as CompletionsRequest, opts);
    case "llm/v1/embeddings":
      return p.embeddings!(req as EmbeddingsRequest, opts);
  }
}

/** A whole chat answer as one stream chunk (providers without upstream streaming). */
function asChatChunk(r: ChatResponse): AnyChunk {
  return {
    id: r.id,
    object: "chat.completion.chunk",
    created: r.created,
    model: r.model,
    choices: r.choices.map((c) => ({
      index: c.index,
      finish_reason: c.finish_reason,
      delta: { role: c.message.role, content: c.message.content },
    })),
    usage: r.usage,
  };
}

function asCompletionsChunk(r: CompletionsResponse): AnyChunk {
  return {
    id: r.id,
    object: "text_completion_chunk",
    created: r.created,
    model: r.model,
    choices: r.choices.map((c) => ({
      index: c.index,
      finish_reason: c.finish_reason,
      text: c.text,
      delta: { content: c.text },
    })),
    usage: r.usage,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls the endpoint: one model picked by weight, retried with exponential backoff (and
 * jitter) on retryable failures, then each fallback endpoint in order. Streams fall back only
 * before the first chunk, since the stream methods resolve once the upstream accepted.
 */
export async function invoke(
  ep: EndpointRuntime,
  req: AnyRequest,
  stream: boolean,
  metrics: Metrics,
  signal?: AbortSignal,
): Promise<InvokeResult> {
  const stats = metrics.endpoint(ep.config.name);
  const candidates = ep.fallbacks.length === 0 ? [ep] : [ep, ...ep.fallbacks];
  let last: Classified | undefined;
  for (let c = 0; c < candidates.length; c++) {
    const target = candidates[c] as EndpointRuntime;
    if (c > 0) stats.fallbacks++;
    const model = pickModel(target);
    const up = (model.stats ??= metrics.upstream(target.config.name, model.providerId, model.modelName));
    const { retry, timeoutMs } = target.config;
    const opts: CallOptions = { timeoutMs, signal };
    for (let attempt = 0; attempt < retry.maxAttempts; attempt++) {
      if (attempt > 0) stats.retries++;
      try {
        const out = await call(model.provider, target.config.endpointType, req, stream, opts);
        up.ok++;
        if (stream) return { stream: true, chunks: out as AsyncIterable<AnyChunk>, upstream: up, model };
        const body = out as AnyResponse;
        const u = (body as { usage?: { prompt_tokens?: number | null; completion_tokens?: number | null } }).usage;
        if (u) {
          up.inputTokens += u.prompt_tokens ?? 0;
          up.outputTokens += u.completion_tokens ?? 0;
        }
        return { stream: false, body, upstream: up, model };
      } catch (e) {
        last = classify(e);
        if (last.timeout) up.timeouts++;
        else up.errors++;
        if (signal?.aborted) throw last.client;
        if (!last.retryable || attempt + 1 >= retry.maxAttempts) break;
        const backoff = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        if (last.retryAfter !== undefined) {
          if (last.retryAfter * 1000 > retry.maxBackoffMs) break;
          await sleep(Math.max(backoff, last.retryAfter * 1000));
        } else await sleep(backoff);
      }
    }
    if (!last?.fallback) break;
  }
  throw (last as Classified).client;
}
