import { UpstreamError } from "../../errors.js";
import {
  type ChatChunk,
  type ChatRequest,
  type ChatResponse,
  type CompletionsChunk,
  type CompletionsRequest,
  type CompletionsResponse,
  type EmbeddingsResponse,
  newId,
  nowSeconds,
  usage,
} from "../../schemas/unified.js";
import { parseSse } from "../sse.js";

/**
 * Translation between MLflow's unified schemas and the OpenAI wire format, shared by every
 * OpenAI-compatible provider. The unified schemas are OpenAI-shaped, so requests pass through
 * (with `model` set) and responses are normalized in place.
 */

type Json = Record<string, unknown>;

/** The request body for `/chat/completions`: the unified request minus `model`/`stream`, plus the provider model. */
export function chatBody(
  req: ChatRequest | CompletionsRequest | Json,
  model: string | undefined,
  stream: boolean,
): Json {
  const body: Json = {};
  for (const k in req) if (k !== "model" && k !== "stream" && k !== "prompt") body[k] = req[k];
  if ("prompt" in req && !("messages" in req)) body.messages = [{ role: "user", content: req.prompt }];
  if (model !== undefined) body.model = model;
  if (stream) body.stream = true;
  return body;
}

export function completionsBody(req: CompletionsRequest, model: string | undefined, stream: boolean): Json {
  const body: Json = {};
  for (const k in req) if (k !== "model" && k !== "stream") body[k] = req[k];
  if (model !== undefined) body.model = model;
  if (stream) body.stream = true;
  return body;
}

export function embeddingsBody(req: Json, model: string | undefined): Json {
  const body: Json = {};
  for (const k in req) if (k !== "model") body[k] = req[k];
  if (model !== undefined) body.model = model;
  return body;
}

function usageOf(u: unknown): ChatResponse["usage"] {
  const o = (u ?? {}) as Json;
  return usage(o.prompt_tokens as number | undefined, o.completion_tokens as number | undefined);
}

function mustHaveChoices(r: Json, provider: string): unknown[] {
  if (!Array.isArray(r.choices)) throw new UpstreamError(0, `${provider} returned a response without 'choices'.`);
  return r.choices;
}

export function toChatResponse(raw: unknown, model: string | undefined, provider: string): ChatResponse {
  const r = raw as Json;
  const choices = mustHaveChoices(r, provider).map((c, i) => {
    const o = c as Json;
    const m = (o.message ?? {}) as Json;
    const message: ChatResponse["choices"][number]["message"] = {
      role: (m.role as string) ?? "assistant",
      content: (m.content as string | null) ?? null,
    };
    if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) message.tool_calls = m.tool_calls as never;
    if (typeof m.refusal === "string") message.refusal = m.refusal;
    return { index: (o.index as number) ?? i, message, finish_reason: (o.finish_reason as string) ?? null };
  });
  return {
    id: (r.id as string) ?? newId("chatcmpl"),
    object: "chat.completion",
    created: (r.created as number) ?? nowSeconds(),
    model: (r.model as string) ?? model ?? "",
    choices,
    usage: usageOf(r.usage),
  };
}

/** A chat response read as a completions response (MLflow serves OpenAI completions through chat). */
export function chatToCompletions(c: ChatResponse): CompletionsResponse {
  return {
    id: c.id,
    object: "text_completion",
    created: c.created,
    model: c.model,
    choices: c.choices.map((x) => ({ index: x.index, text: x.message.content ?? "", finish_reason: x.finish_reason })),
    usage: c.usage,
  };
}

export function toCompletionsResponse(raw: unknown, model: string | undefined, provider: string): CompletionsResponse {
  const r = raw as Json;
  const choices = mustHaveChoices(r, provider).map((c, i) => {
    const o = c as Json;
    return {
      index: (o.index as number) ?? i,
      text: (o.text as string) ?? "",
      finish_reason: (o.finish_reason as string) ?? null,
    };
  });
  return {
    id: (r.id as string) ?? newId("cmpl"),
    object: "text_completion",
    created: (r.created as number) ?? nowSeconds(),
    model: (r.model as string) ?? model ?? "",
    choices,
    usage: usageOf(r.usage),
  };
}

export function toEmbeddingsResponse(raw: unknown, model: string | undefined, provider: string): EmbeddingsResponse {
  const r = raw as Json;
  if (!Array.isArray(r.data)) throw new UpstreamError(0, `${provider} returned a response without 'data'.`);
  const u = (r.usage ?? {}) as Json;
  return {
    object: "list",
    data: r.data.map((d, i) => {
      const o = d as Json;
      return { object: "embedding", embedding: o.embedding as number[], index: (o.index as number) ?? i };
    }),
    model: (r.model as string) ?? model ?? "",
    usage: {
      prompt_tokens: (u.prompt_tokens as number) ?? null,
      total_tokens: (u.total_tokens as number) ?? (u.prompt_tokens as number) ?? null,
    },
  };
}

/** Reads OpenAI SSE data events as JSON objects, stopping at `[DONE]`; an `error` event throws. */
export async function* openAiEvents(body: AsyncIterable<Buffer>, provider: string): AsyncGenerator<Json> {
  for await (const ev of parseSse(body)) {
    if (ev.data === "[DONE]") return;
    let o: Json;
    try {
      o = JSON.parse(ev.data) as Json;
    } catch {
      throw new UpstreamError(0, `${provider} sent a stream event that is not JSON.`);
    }
    if (o.error) {
      const e = o.error as Json;
      throw new UpstreamError(
        0,
        `${provider} reported an error mid-stream: ${typeof e === "string" ? e : String(e.message ?? "")}`,
      );
    }
    yield o;
  }
}

export async function* toChatChunks(
  body: AsyncIterable<Buffer>,
  model: string | undefined,
  provider: string,
): AsyncGenerator<ChatChunk> {
  for await (const o of openAiEvents(body, provider)) {
    const choices = Array.isArray(o.choices) ? o.choices : [];
    const chunk: ChatChunk = {
      id: (o.id as string) ?? "",
      object: "chat.completion.chunk",
      created: (o.created as number) ?? nowSeconds(),
      model: (o.model as string) ?? model ?? "",
      choices: choices.map((c, i) => {
        const x = c as Json;
        return {
          index: (x.index as number) ?? i,
          finish_reason: (x.finish_reason as string) ?? null,
          delta: (x.delta ?? {}) as never,
        };
      }),
    };
    if (o.usage) chunk.usage = usageOf(o.usage);
    yield chunk;
  }
}

export function chatChunkToCompletionsChunk(c: ChatChunk): CompletionsChunk {
  return {
    id: c.id,
    object: "text_completion_chunk",
    created: c.created,
    model: c.model,
    choices: c.choices.map((x) => {
      const text = typeof x.delta.content === "string" ? x.delta.content : "";
      return { index: x.index, finish_reason: x.finish_reason, text, delta: { content: text } };
    }),
    ...(c.usage ? { usage: c.usage } : {}),
  };
}

export async function* toCompletionsChunks(
  body: AsyncIterable<Buffer>,
  model: string | undefined,
  provider: string,
): AsyncGenerator<CompletionsChunk> {
  for await (const o of openAiEvents(body, provider)) {
    const choices = Array.isArray(o.choices) ? o.choices : [];
    const chunk: CompletionsChunk = {
      id: (o.id as string) ?? "",
      object: "text_completion_chunk",
      created: (o.created as number) ?? nowSeconds(),
      model: (o.model as string) ?? model ?? "",
      choices: choices.map((c, i) => {
        const x = c as Json;
        const text = (x.text as string) ?? ((x.delta as Json | undefined)?.content as string) ?? "";
        return {
          index: (x.index as number) ?? i,
          finish_reason: (x.finish_reason as string) ?? null,
          text,
          delta: { content: text },
        };
      }),
    };
    if (o.usage) chunk.usage = usageOf(o.usage);
    yield chunk;
  }
}

export async function* mapAsync<A, B>(src: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const a of src) yield f(a);
}
