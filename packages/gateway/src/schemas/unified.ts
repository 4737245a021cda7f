/**
 * MLflow's unified request and response schemas (OpenAI-shaped), see reference/gateway.md §5.
 * Requests keep unknown fields (`top_p`, `seed`, ...) so providers can pass them through.
 */

export const ENDPOINT_TYPES = ["llm/v1/completions", "llm/v1/chat", "llm/v1/embeddings"] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ContentPart {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: string };
  [extra: string]: unknown;
}

export interface ChatMessage {
  role: string;
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
  refusal?: string | null;
}

export interface ChatTool {
  type: string;
  function?: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
  [extra: string]: unknown;
}

interface CommonRequest {
  temperature: number;
  n: number;
  stop?: string[];
  max_tokens?: number;
  stream?: boolean;
  [extra: string]: unknown;
}

export interface ChatRequest extends CommonRequest {
  messages: ChatMessage[];
  tools?: ChatTool[];
}

export interface CompletionsRequest extends CommonRequest {
  prompt: string;
}

export interface EmbeddingsRequest {
  input: string | string[];
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
}

export interface ChatChoice {
  index: number;
  message: { role: string; content: string | null; tool_calls?: ToolCall[] | null; refusal?: string | null };
  finish_reason: string | null;
}

export interface ChatResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatChoice[];
  usage: Usage;
}

export interface ChatChunkChoice {
  index: number;
  finish_reason: string | null;
  delta: {
    role?: string;
    content?: string | null;
    tool_calls?: Array<{ index: number; id?: string; type?: "function"; function?: Partial<ToolCall["function"]> }>;
  };
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChatChunkChoice[];
  usage?: Usage | null;
}

export interface CompletionsChoice {
  index: number;
  text: string;
  finish_reason: string | null;
}

export interface CompletionsResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: CompletionsChoice[];
  usage: Usage;
}

export interface CompletionsChunk {
  id: string;
  object: "text_completion_chunk";
  created: number;
  model: string;
  /** `text` is what OpenAI clients read; `delta.content` is what MLflow's own chunks carry. */
  choices: Array<{
    index: number;
    finish_reason: string | null;
    text: string;
    delta: { role?: string; content: string };
  }>;
  usage?: Usage | null;
}

export interface EmbeddingsResponse {
  object: "list";
  data: Array<{ object: "embedding"; embedding: number[]; index: number }>;
  model: string;
  usage: { prompt_tokens: number | null; total_tokens: number | null };
}

export type AnyRequest = ChatRequest | CompletionsRequest | EmbeddingsRequest;
export type AnyResponse = ChatResponse | CompletionsResponse | EmbeddingsResponse;
export type AnyChunk = ChatChunk | CompletionsChunk;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

let idCounter = 0;
/** A response id for providers whose wire format has none. */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) % 1_000_000_000;
  return `${prefix}-${Date.now().toString(36)}${idCounter.toString(36)}`;
}

export function usage(prompt: number | null | undefined, completion: number | null | undefined): Usage {
  const p = typeof prompt === "number" ? prompt : null;
  const c = typeof completion === "number" ? completion : null;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p !== null && c !== null ? p + c : (p ?? c) };
}

/** The text of a message's content, joining text parts (for providers without multi-part input). */
export function messageText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  let out = "";
  for (const part of content) if (part.type === "text" && typeof part.text === "string") out += part.text;
  return out;
}

/** Request fields the gateway interprets itself; everything else is passed to the provider. */
export const CHAT_KNOWN = new Set(["messages", "temperature", "n", "stop", "max_tokens", "stream", "model", "tools"]);
export const COMPLETIONS_KNOWN = new Set(["prompt", "temperature", "n", "stop", "max_tokens", "stream", "model"]);

/** Copies the fields not in `known` (the provider pass-through extras). */
export function extras(req: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in req) if (!known.has(k) && req[k] !== undefined && req[k] !== null) out[k] = req[k];
  return out;
}
