import { z } from "zod";
import { GatewayError, UpstreamError } from "../../errors.js";
import {
  type ChatChunk,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type CompletionsRequest,
  extras,
  messageText,
  newId,
  nowSeconds,
  type ToolCall,
  usage,
} from "../../schemas/unified.js";
import { chatChunkToCompletionsChunk, chatToCompletions, mapAsync } from "../openai-compatible/wire.js";
import { type CallOptions, defineProvider } from "../provider.js";
import { parseSse } from "../sse.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const AnthropicConfig = z.strictObject({
  anthropic_api_key: z.string(),
  anthropic_version: z.string().default("2023-06-01"),
  /** mlflow-ts extension: another base URL (a proxy, or a fake upstream in tests). */
  anthropic_api_base: z.url().default("https://api.anthropic.com/v1"),
});

const DEFAULT_MAX_TOKENS = 8192;
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
  "tool_choice",
]);

const STOP_REASONS: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
};

function finish(reason: unknown): string | null {
  return typeof reason === "string" ? (STOP_REASONS[reason] ?? reason) : null;
}

function toAnthropicContent(m: ChatMessage): unknown {
  if (typeof m.content === "string" || m.content == null) return m.content ?? "";
  return m.content.map((p) => {
    if (p.type === "image_url" && p.image_url) {
      const match = /^data:([^;]+);base64,(.*)$/.exec(p.image_url.url);
      return match
        ? { type: "image", source: { type: "base64", media_type: match[1], data: match[2] } }
        : { type: "image", source: { type: "url", url: p.image_url.url } };
    }
    return { type: "text", text: p.text ?? "" };
  });
}

/** The unified chat request in Anthropic's Messages format. Temperature is halved: Anthropic's range is 0-1, MLflow's 0-2. */
export function toMessagesBody(req: ChatRequest, model: string | undefined, stream: boolean): Json {
  if (req.n > 1) throw GatewayError.badRequest("Anthropic does not support n > 1.");
  const system: string[] = [];
  const messages: Json[] = [];
  for (const m of req.messages) {
    if (m.role === "system") system.push(messageText(m.content));
    else if (m.role === "tool") {
      messages.push({
        role: "user",
        content: [{ type: "tool_result", tool_use_id: m.tool_call_id, content: messageText(m.content) }],
      });
    } else if (m.role === "assistant" && m.tool_calls?.length) {
      const blocks: unknown[] = [];
      const text = messageText(m.content);
      if (text) blocks.push({ type: "text", text });
      for (const tc of m.tool_calls) {
        let input: unknown = {};
        try {
          input = JSON.parse(tc.function.arguments || "{}");
        } catch {
          throw GatewayError.badRequest(`Tool call '${tc.id}' has arguments that are not JSON.`);
        }
        blocks.push({ type: "tool_use", id: tc.id, name: tc.function.name, input });
      }
      messages.push({ role: "assistant", content: blocks });
    } else messages.push({ role: m.role, content: toAnthropicContent(m) });
  }
  const body: Json = {
    ...extras(req, KNOWN),
    model,
    messages,
    max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: req.temperature / 2,
  };
  if (system.length) body.system = system.join("\n");
  if (req.stop) body.stop_sequences = req.stop;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      name: t.function?.name,
      description: t.function?.description,
      input_schema: t.function?.parameters ?? { type: "object", properties: {} },
    }));
  }
  if (stream) body.stream = true;
  return body;
}

export function fromMessagesResponse(raw: unknown, model: string | undefined): ChatResponse {
  const r = raw as Json;
  if (!Array.isArray(r.content)) throw new UpstreamError(0, "Anthropic returned a response without 'content'.");
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const b of r.content as Json[]) {
    if (b.type === "text") text += b.text as string;
    else if (b.type === "tool_use")
      toolCalls.push({
        id: b.id as string,
        type: "function",
        function: { name: b.name as string, arguments: JSON.stringify(b.input ?? {}) },
      });
  }
  const u = (r.usage ?? {}) as Json;
  return {
    id: (r.id as string) ?? newId("msg"),
    object: "chat.completion",
    created: nowSeconds(),
    model: (r.model as string) ?? model ?? "",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text || (toolCalls.length ? null : ""),
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish(r.stop_reason),
      },
    ],
    usage: usage(u.input_tokens as number, u.output_tokens as number),
  };
}

async function* messagesStream(body: AsyncIterable<Buffer>, model: string | undefined): AsyncGenerator<ChatChunk> {
  let id = "";
  let created = nowSeconds();
  let modelName = model ?? "";
  let inputTokens: number | undefined;
  const toolIndex = new Map<number, number>();
  const chunk = (delta: ChatChunk["choices"][0]["delta"], finishReason: string | null = null): ChatChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: modelName,
    choices: [{ index: 0, finish_reason: finishReason, delta }],
  });
  for await (const ev of parseSse(body)) {
    let o: Json;
    try {
      o = JSON.parse(ev.data) as Json;
    } catch {
      throw new UpstreamError(0, "Anthropic sent a stream event that is not JSON.");
    }
    switch (o.type) {
      case "message_start": {
        const m = (o.message ?? {}) as Json;
        id = (m.id as string) ?? newId("msg");
        modelName = (m.model as string) ?? modelName;
        created = nowSeconds();
        inputTokens = ((m.usage ?? {}) as Json).input_tokens as number | undefined;
        yield chunk({ role: "assistant", content: "" });
        break;
      }
      case "content_block_start": {
        const b = (o.content_block ?? {}) as Json;
        if (b.type === "tool_use") {
          const idx = toolIndex.size;
          toolIndex.set(o.index as number, idx);
          yield chunk({
            tool_calls: [
              { index: idx, id: b.id as string, type: "function", function: { name: b.name as string, arguments: "" } },
            ],
          });
        }
        break;
      }
      case "content_block_delta": {
        const d = (o.delta ?? {}) as Json;
        if (d.type === "text_delta") yield chunk({ content: d.text as string });
        else if (d.type === "input_json_delta")
          yield chunk({
            tool_calls: [
              { index: toolIndex.get(o.index as number) ?? 0, function: { arguments: d.partial_json as string } },
            ],
          });
        break;
      }
      case "message_delta": {
        const d = (o.delta ?? {}) as Json;
        const c = chunk({}, finish(d.stop_reason));
        const out = ((o.usage ?? {}) as Json).output_tokens as number | undefined;
        if (out !== undefined || inputTokens !== undefined) c.usage = usage(inputTokens, out);
        yield c;
        break;
      }
      case "error": {
        const e = (o.error ?? {}) as Json;
        throw new UpstreamError(
          e.type === "overloaded_error" ? 529 : 0,
          `Anthropic reported an error mid-stream: ${String(e.message ?? "")}`,
        );
      }
      default:
        break; // ping, content_block_stop, message_stop
    }
  }
}

function completionsAsChat(req: CompletionsRequest): ChatRequest {
  const { prompt, ...rest } = req;
  return { ...rest, messages: [{ role: "user", content: prompt }] } as ChatRequest;
}

/** Anthropic's Messages API; completions are served as a one-message chat. */
export const anthropic = defineProvider({
  id: "anthropic",
  displayName: "Anthropic",
  configSchema: AnthropicConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions"],
  create(model, deps) {
    const c = model.config;
    const base = parseBase(c.anthropic_api_base);
    const headers = { "x-api-key": c.anthropic_api_key, "anthropic-version": c.anthropic_version };
    const req = (body: Json, opts: CallOptions) => ({
      base,
      path: "/messages",
      headers,
      body,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      provider: "Anthropic",
    });
    const chat = async (r: ChatRequest, opts: CallOptions) =>
      fromMessagesResponse(await deps.http.json(req(toMessagesBody(r, model.name, false), opts)), model.name);
    const chatStream = async (r: ChatRequest, opts: CallOptions) =>
      messagesStream(await deps.http.stream(req(toMessagesBody(r, model.name, true), opts)), model.name);
    return {
      chat,
      chatStream,
      completions: async (r, opts) => chatToCompletions(await chat(completionsAsChat(r), opts)),
      completionsStream: async (r, opts) =>
        mapAsync(await chatStream(completionsAsChat(r), opts), chatChunkToCompletionsChunk),
    };
  },
});
