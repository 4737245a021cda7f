import { z } from "zod";
import { UpstreamError } from "../../errors.js";
import {
  type ChatChunk,
  type ChatRequest,
  type ChatResponse,
  type CompletionsRequest,
  extras,
  messageText,
  newId,
  nowSeconds,
  usage,
} from "../../schemas/unified.js";
import { chatChunkToCompletionsChunk, chatToCompletions, mapAsync } from "../openai-compatible/wire.js";
import { type CallOptions, defineProvider } from "../provider.js";
import { parseSse } from "../sse.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const GeminiConfig = z.strictObject({
  gemini_api_key: z.string(),
  /** mlflow-ts extension. */
  gemini_api_base: z.url().default("https://generativelanguage.googleapis.com/v1beta"),
});

const FINISH: Record<string, string> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
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
  "top_p",
  "top_k",
  "input",
]);

/** The unified chat as `generateContent`: system messages become `systemInstruction`, assistant turns role `model`. */
export function toGenerateContent(req: ChatRequest): Json {
  const system: Json[] = [];
  const contents: Json[] = [];
  for (const m of req.messages) {
    if (m.role === "system") system.push({ text: messageText(m.content) });
    else contents.push({ role: m.role === "assistant" ? "model" : "user", parts: [{ text: messageText(m.content) }] });
  }
  const generationConfig: Json = { temperature: req.temperature, candidateCount: req.n };
  if (req.max_tokens) generationConfig.maxOutputTokens = req.max_tokens;
  if (req.stop) generationConfig.stopSequences = req.stop;
  if (typeof req.top_p === "number") generationConfig.topP = req.top_p;
  if (typeof req.top_k === "number") generationConfig.topK = req.top_k;
  const body: Json = { ...extras(req, KNOWN), contents, generationConfig };
  if (system.length) body.systemInstruction = { parts: system };
  return body;
}

function candidateText(c: Json): string {
  const parts = ((c.content ?? {}) as Json).parts;
  if (!Array.isArray(parts)) return "";
  let t = "";
  for (const p of parts as Json[]) if (typeof p.text === "string") t += p.text;
  return t;
}

function usageOf(o: Json) {
  const u = (o.usageMetadata ?? {}) as Json;
  return usage(u.promptTokenCount as number | undefined, u.candidatesTokenCount as number | undefined);
}

function fromGenerateContent(raw: unknown, model: string): ChatResponse {
  const o = raw as Json;
  if (!Array.isArray(o.candidates)) throw new UpstreamError(0, "Gemini returned a response without 'candidates'.");
  return {
    id: (o.responseId as string) ?? newId("chatcmpl"),
    object: "chat.completion",
    created: nowSeconds(),
    model: (o.modelVersion as string) ?? model,
    choices: (o.candidates as Json[]).map((c, i) => ({
      index: (c.index as number) ?? i,
      message: { role: "assistant", content: candidateText(c) },
      finish_reason: finish(c.finishReason),
    })),
    usage: usageOf(o),
  };
}

function asChat(req: CompletionsRequest): ChatRequest {
  const { prompt, ...rest } = req;
  return { ...rest, messages: [{ role: "user", content: prompt }] } as ChatRequest;
}

/** Google's Gemini API (`generateContent`, `streamGenerateContent?alt=sse`, `batchEmbedContents`); the key goes in a header, never the URL. */
export const gemini = defineProvider({
  id: "gemini",
  displayName: "Gemini",
  configSchema: GeminiConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"],
  checkModel: (name) => (name ? undefined : "model.name is required for gemini"),
  create(model, deps) {
    const c = model.config;
    const base = parseBase(c.gemini_api_base);
    const name = model.name as string;
    const modelPath = `/models/${encodeURIComponent(name)}`;
    const headers = { "x-goog-api-key": c.gemini_api_key };
    const req = (path: string, body: Json, opts: CallOptions) => ({
      base,
      path,
      headers,
      body,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      provider: "Gemini",
    });
    const chat = async (r: ChatRequest, opts: CallOptions) =>
      fromGenerateContent(await deps.http.json(req(`${modelPath}:generateContent`, toGenerateContent(r), opts)), name);
    const chatStream = async (r: ChatRequest, opts: CallOptions) => {
      const stream = await deps.http.stream(
        req(`${modelPath}:streamGenerateContent?alt=sse`, toGenerateContent(r), opts),
      );
      return (async function* (): AsyncGenerator<ChatChunk> {
        const id = newId("chatcmpl");
        const created = nowSeconds();
        let first = true;
        for await (const ev of parseSse(stream)) {
          let o: Json;
          try {
            o = JSON.parse(ev.data) as Json;
          } catch {
            throw new UpstreamError(0, "Gemini sent a stream event that is not JSON.");
          }
          if (o.error)
            throw new UpstreamError(
              0,
              `Gemini reported an error mid-stream: ${String((o.error as Json).message ?? "")}`,
            );
          const cands = Array.isArray(o.candidates) ? (o.candidates as Json[]) : [];
          const chunk: ChatChunk = {
            id,
            object: "chat.completion.chunk",
            created,
            model: name,
            choices: cands.map((cand, i) => ({
              index: (cand.index as number) ?? i,
              finish_reason: finish(cand.finishReason),
              delta: first ? { role: "assistant", content: candidateText(cand) } : { content: candidateText(cand) },
            })),
          };
          if (o.usageMetadata) chunk.usage = usageOf(o);
          first = false;
          yield chunk;
        }
      })();
    };
    return {
      chat,
      chatStream,
      completions: async (r, opts) => chatToCompletions(await chat(asChat(r), opts)),
      completionsStream: async (r, opts) => mapAsync(await chatStream(asChat(r), opts), chatChunkToCompletionsChunk),
      async embeddings(r, opts) {
        const texts = typeof r.input === "string" ? [r.input] : r.input;
        const body = { requests: texts.map((t) => ({ model: `models/${name}`, content: { parts: [{ text: t }] } })) };
        const o = (await deps.http.json(req(`${modelPath}:batchEmbedContents`, body, opts))) as Json;
        if (!Array.isArray(o.embeddings))
          throw new UpstreamError(0, "Gemini returned a response without 'embeddings'.");
        return {
          object: "list",
          data: (o.embeddings as Json[]).map((e, i) => ({
            object: "embedding",
            embedding: e.values as number[],
            index: i,
          })),
          model: name,
          usage: { prompt_tokens: null, total_tokens: null },
        };
      },
    };
  },
});
