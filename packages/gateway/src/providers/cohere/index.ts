import { z } from "zod";
import { GatewayError, UpstreamError } from "../../errors.js";
import {
  type ChatChunk,
  type ChatRequest,
  type CompletionsChunk,
  type CompletionsRequest,
  extras,
  messageText,
  newId,
  nowSeconds,
  usage,
} from "../../schemas/unified.js";
import { type CallOptions, defineProvider } from "../provider.js";
import { parseNdjson } from "../sse.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const CohereConfig = z.strictObject({
  cohere_api_key: z.string(),
  /** mlflow-ts extension. */
  cohere_api_base: z.url().default("https://api.cohere.ai/v1"),
});

const FINISH: Record<string, string> = {
  COMPLETE: "stop",
  MAX_TOKENS: "length",
  STOP_SEQUENCE: "stop",
  ERROR: "error",
};
const finish = (r: unknown) => (typeof r === "string" ? (FINISH[r] ?? r.toLowerCase()) : null);
const KNOWN = new Set([
  "messages",
  "prompt",
  "temperature",
  "n",
  "stop",
  "max_tokens",
  "stream",
  "model",
  "tools",
  "input",
]);

function billed(meta: unknown): { input?: number; output?: number } {
  const m = (meta ?? {}) as Json;
  const b = (m.billed_units ?? m.tokens ?? {}) as Json;
  return { input: b.input_tokens as number | undefined, output: b.output_tokens as number | undefined };
}

/** The unified chat in Cohere's v1 `/chat` shape: the last user message, the history before it, system as preamble. */
export function toCohereChat(req: ChatRequest, model: string | undefined, stream: boolean): Json {
  if (req.n > 1) throw GatewayError.badRequest("Cohere chat does not support n > 1.");
  const history: Json[] = [];
  const preamble: string[] = [];
  const msgs = req.messages;
  const last = msgs[msgs.length - 1];
  if (last?.role !== "user") throw GatewayError.badRequest("The last message for Cohere must have role 'user'.");
  for (const m of msgs.slice(0, -1)) {
    if (m.role === "system") preamble.push(messageText(m.content));
    else history.push({ role: m.role === "assistant" ? "CHATBOT" : "USER", message: messageText(m.content) });
  }
  const body: Json = { ...extras(req, KNOWN), message: messageText(last.content), temperature: req.temperature / 2 };
  if (model) body.model = model;
  if (history.length) body.chat_history = history;
  if (preamble.length) body.preamble = preamble.join("\n");
  if (req.max_tokens) body.max_tokens = req.max_tokens;
  if (req.stop) body.stop_sequences = req.stop;
  if (stream) body.stream = true;
  return body;
}

/** Cohere's `/generate`; its temperature range is 0-5, so MLflow's 0-2 is scaled by 2.5. */
export function toCohereGenerate(req: CompletionsRequest, model: string | undefined, stream: boolean): Json {
  const body: Json = {
    ...extras(req, KNOWN),
    prompt: req.prompt,
    temperature: req.temperature * 2.5,
    num_generations: req.n,
  };
  if (model) body.model = model;
  if (req.max_tokens) body.max_tokens = req.max_tokens;
  if (req.stop) body.stop_sequences = req.stop;
  if (stream) body.stream = true;
  return body;
}

export const cohere = defineProvider({
  id: "cohere",
  displayName: "Cohere",
  configSchema: CohereConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"],
  create(model, deps) {
    const c = model.config;
    const base = parseBase(c.cohere_api_base);
    const headers = { authorization: `Bearer ${c.cohere_api_key}`, accept: "application/json" };
    const req = (path: string, body: Json, opts: CallOptions) => ({
      base,
      path,
      headers,
      body,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      provider: "Cohere",
    });
    return {
      async chat(r, opts) {
        const o = (await deps.http.json(req("/chat", toCohereChat(r, model.name, false), opts))) as Json;
        if (typeof o.text !== "string") throw new UpstreamError(0, "Cohere returned a response without 'text'.");
        const t = billed(o.meta);
        return {
          id: (o.response_id as string) ?? newId("chat"),
          object: "chat.completion",
          created: nowSeconds(),
          model: model.name ?? "",
          choices: [
            { index: 0, message: { role: "assistant", content: o.text }, finish_reason: finish(o.finish_reason) },
          ],
          usage: usage(t.input, t.output),
        };
      },
      async chatStream(r, opts) {
        const stream = await deps.http.stream(req("/chat", toCohereChat(r, model.name, true), opts));
        return (async function* (): AsyncGenerator<ChatChunk> {
          let id = newId("chat");
          const created = nowSeconds();
          const chunk = (delta: ChatChunk["choices"][0]["delta"], fr: string | null): ChatChunk => ({
            id,
            object: "chat.completion.chunk",
            created,
            model: model.name ?? "",
            choices: [{ index: 0, finish_reason: fr, delta }],
          });
          for await (const ev of parseNdjson(stream)) {
            const e = ev as Json;
            if (e.event_type === "stream-start") {
              id = (e.generation_id as string) ?? id;
              yield chunk({ role: "assistant", content: "" }, null);
            } else if (e.event_type === "text-generation") yield chunk({ content: e.text as string }, null);
            else if (e.event_type === "stream-end") {
              const c = chunk({}, finish(e.finish_reason));
              const t = billed(((e.response ?? {}) as Json).meta);
              if (t.input !== undefined) c.usage = usage(t.input, t.output);
              yield c;
            }
          }
        })();
      },
      async completions(r, opts) {
        const o = (await deps.http.json(req("/generate", toCohereGenerate(r, model.name, false), opts))) as Json;
        if (!Array.isArray(o.generations))
          throw new UpstreamError(0, "Cohere returned a response without 'generations'.");
        const t = billed(o.meta);
        return {
          id: (o.id as string) ?? newId("cmpl"),
          object: "text_completion",
          created: nowSeconds(),
          model: model.name ?? "",
          choices: (o.generations as Json[]).map((g, i) => ({
            index: i,
            text: g.text as string,
            finish_reason: finish(g.finish_reason),
          })),
          usage: usage(t.input, t.output),
        };
      },
      async completionsStream(r, opts) {
        const stream = await deps.http.stream(req("/generate", toCohereGenerate(r, model.name, true), opts));
        return (async function* (): AsyncGenerator<CompletionsChunk> {
          const id = newId("cmpl");
          const created = nowSeconds();
          for await (const ev of parseNdjson(stream)) {
            const e = ev as Json;
            const done = e.is_finished === true;
            const text = done ? "" : ((e.text as string) ?? "");
            const fr = done ? finish(e.finish_reason) : null;
            yield {
              id,
              object: "text_completion_chunk",
              created,
              model: model.name ?? "",
              choices: [{ index: (e.index as number) ?? 0, finish_reason: fr, text, delta: { content: text } }],
            };
          }
        })();
      },
      async embeddings(r, opts) {
        const texts = typeof r.input === "string" ? [r.input] : r.input;
        const body: Json = { ...extras(r, KNOWN), texts };
        if (model.name) body.model = model.name;
        const o = (await deps.http.json(req("/embed", body, opts))) as Json;
        const embeddings = Array.isArray(o.embeddings) ? o.embeddings : (o.embeddings as Json | undefined)?.float;
        if (!Array.isArray(embeddings)) throw new UpstreamError(0, "Cohere returned a response without 'embeddings'.");
        const t = billed(o.meta);
        return {
          object: "list",
          data: (embeddings as number[][]).map((e, i) => ({ object: "embedding", embedding: e, index: i })),
          model: model.name ?? "",
          usage: { prompt_tokens: t.input ?? null, total_tokens: t.input ?? null },
        };
      },
    };
  },
});
