import { GatewayError } from "../errors.js";
import { classify, invoke } from "../runtime/invoke.js";
import type { EndpointRuntime } from "../runtime/gateway-runtime.js";
import type { AnyChunk, EmbeddingsResponse, EndpointType } from "../schemas/unified.js";
import { validateRequest } from "../schemas/validate-request.js";
import { describeLimit } from "../limits/rate-limiter.js";
import { type ErrorStyle, readJsonObject, renderError, sendJson, toGatewayError } from "./respond.js";
import type { GatewayContext, RouteInput } from "./route-types.js";

const PAGE_SIZE = 3000;

function page<T>(items: T[], token: string | null): { items: T[]; next?: string } {
  let start = 0;
  if (token) {
    try {
      start = Number((JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { index: unknown }).index);
    } catch {
      start = Number.NaN;
    }
    if (!Number.isInteger(start) || start < 0) throw GatewayError.badRequest(`Invalid page token: ${token}`);
  }
  const slice = items.slice(start, start + PAGE_SIZE);
  const end = start + PAGE_SIZE;
  return end < items.length
    ? { items: slice, next: Buffer.from(JSON.stringify({ index: end })).toString("base64") }
    : { items: slice };
}

export function health(): object {
  return { status: "OK" };
}

export function listEndpoints({ ctx, query }: RouteInput): object {
  const p = page(ctx.runtime().list, query.get("page_token"));
  return { endpoints: p.items.map((e) => e.info), ...(p.next ? { next_page_token: p.next } : {}) };
}

function notPresent(name: string): GatewayError {
  return GatewayError.notFound(
    `The endpoint '${name}' is not present or active on the server. Please verify the endpoint name.`,
  );
}

export function getEndpoint({ ctx, params }: RouteInput): object {
  const ep = ctx.runtime().endpoints.get(params.name as string);
  if (!ep) throw notPresent(params.name as string);
  return ep.info;
}

export function listRoutes({ ctx, query }: RouteInput): object {
  const p = page(ctx.runtime().list, query.get("page_token"));
  return { routes: p.items.map((e) => e.routeInfo), ...(p.next ? { next_page_token: p.next } : {}) };
}

export function getRoute({ ctx, params }: RouteInput): object {
  const ep = ctx.runtime().endpoints.get(params.name as string);
  if (!ep)
    throw GatewayError.notFound(
      `The route '${params.name}' is not present or active on the server. Please verify the route name.`,
    );
  return ep.routeInfo;
}

export function limitsNotImplemented(): object {
  throw new GatewayError(501, "NOT_IMPLEMENTED", "The limits API is not available yet.");
}

export function listModels({ ctx }: RouteInput): object {
  return {
    object: "list",
    data: ctx
      .runtime()
      .list.map((e) => ({ id: e.config.name, object: "model", created: 0, owned_by: "mlflow-ts-gateway" })),
  };
}

export function getModel({ ctx, params }: RouteInput): object {
  const ep = ctx.runtime().endpoints.get(params.name as string);
  if (!ep) throw GatewayError.notFound(`The model '${params.name}' does not exist.`);
  return { id: ep.config.name, object: "model", created: 0, owned_by: "mlflow-ts-gateway" };
}

/** `POST /endpoints/{name}/invocations` and `/gateway/{name}/invocations`. */
export async function invokeByName(input: RouteInput): Promise<void> {
  const body = await readJsonObject(input.req);
  const name = input.params.name as string;
  const ep = input.ctx.runtime().endpoints.get(name);
  if (!ep) throw notPresent(name);
  delete body.model;
  await serve(input, ep, body, "mlflow");
}

const KIND_NAMES: Record<EndpointType, string> = {
  "llm/v1/chat": "chat",
  "llm/v1/completions": "completions",
  "llm/v1/embeddings": "embeddings",
};

/** The OpenAI-compatible routes: `model` names the endpoint, which must be of the route's type. */
export function openAiRoute(type: EndpointType) {
  return async (input: RouteInput): Promise<void> => {
    const body = await readJsonObject(input.req);
    const name = body.model;
    if (typeof name !== "string" || name === "")
      throw GatewayError.badRequest(
        "Missing required 'model' parameter in request body: it names the gateway endpoint.",
      );
    const ep = input.ctx.runtime().endpoints.get(name);
    if (!ep) throw GatewayError.badRequest(`Endpoint '${name}' not found in the configuration.`);
    if (ep.config.endpointType !== type)
      throw GatewayError.badRequest(`Endpoint '${name}' is not a ${KIND_NAMES[type]} endpoint.`);
    delete body.model;
    await serve(input, ep, body, "openai");
  };
}

async function serve(
  input: RouteInput,
  ep: EndpointRuntime,
  body: Record<string, unknown>,
  style: ErrorStyle,
): Promise<void> {
  const { ctx, res } = input;
  const started = performance.now();
  const stats = ctx.metrics.endpoint(ep.config.name);
  let status = 200;
  try {
    const limit = ep.config.limit;
    if (limit) {
      const d = await ctx.limiter.hit(ep.config.name, limit);
      if (!d.allowed) {
        stats.rateLimited++;
        throw new GatewayError(
          429,
          "REQUEST_LIMIT_EXCEEDED",
          `Rate limit exceeded: ${describeLimit(limit)}`,
          d.retryAfter,
        );
      }
    }
    // OpenAI clients ask for base64 embeddings by default; providers are asked for floats and
    // the gateway encodes them, so every provider answers in the format asked for.
    const base64 = ep.config.endpointType === "llm/v1/embeddings" && body.encoding_format === "base64";
    if (base64) delete body.encoding_format;
    const request = validateRequest(ep.config.endpointType, body);
    const stream = (request as { stream?: boolean }).stream === true;
    if (!stream) {
      const result = await invoke(ep, request, false, ctx.metrics);
      if (result.stream) throw new Error("unreachable");
      if (base64) encodeEmbeddings(result.body as EmbeddingsResponse);
      sendJson(res, 200, result.body);
      return;
    }
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on("close", onClose);
    const result = await invoke(ep, request, true, ctx.metrics, abort.signal);
    if (!result.stream) throw new Error("unreachable");
    await writeStream(ctx, res, result.chunks, result.upstream, style);
  } catch (e) {
    const err = clientError(ctx, e);
    status = err.status;
    renderError(res, err, style, ctx.redactor);
  } finally {
    ctx.metrics.request(stats, status, (performance.now() - started) / 1000);
  }
}

function encodeEmbeddings(r: EmbeddingsResponse): void {
  for (const d of r.data) {
    const floats = Float32Array.from(d.embedding);
    (d as { embedding: unknown }).embedding = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString(
      "base64",
    );
  }
}

async function writeStream(
  ctx: GatewayContext,
  res: RouteInput["res"],
  chunks: AsyncIterable<AnyChunk>,
  up: { inputTokens: number; outputTokens: number },
  style: ErrorStyle,
): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  // The first chunk decides the status: an error before it is an ordinary HTTP error.
  const first = await it.next();
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const write = async (text: string) => {
    if (!res.write(text)) await new Promise<void>((r) => res.once("drain", r));
  };
  try {
    let cur = first;
    while (!cur.done) {
      const u = cur.value.usage;
      if (u) {
        up.inputTokens += u.prompt_tokens ?? 0;
        up.outputTokens += u.completion_tokens ?? 0;
      }
      if (res.destroyed) return;
      await write(`data: ${JSON.stringify(cur.value)}\n\n`);
      cur = await it.next();
    }
    if (style === "openai") await write("data: [DONE]\n\n");
  } catch (e) {
    const err = clientError(ctx, e);
    if (!res.destroyed) {
      const message = ctx.redactor.redact(err.message);
      const payload =
        style === "openai"
          ? { error: { message, type: "upstream_error", code: err.errorCode } }
          : { error_code: err.errorCode, message };
      await write(`data: ${JSON.stringify(payload)}\n\n`);
    }
  } finally {
    if (!res.destroyed) res.end();
  }
}

/** Upstream failures keep their classification (status, message, code); anything else is internal. */
function clientError(ctx: GatewayContext, e: unknown): GatewayError {
  try {
    return classify(e).client;
  } catch {
    return toGatewayError(e, ctx.log, ctx.redactor);
  }
}
