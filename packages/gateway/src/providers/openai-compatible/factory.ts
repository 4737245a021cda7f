import { GatewayError } from "../../errors.js";
import type { ChatRequest, CompletionsRequest, EndpointType } from "../../schemas/unified.js";
import type { CallOptions, Provider, ProviderDeps } from "../provider.js";
import { type Base, parseBase } from "../upstream-http.js";
import {
  chatBody,
  chatChunkToCompletionsChunk,
  chatToCompletions,
  completionsBody,
  embeddingsBody,
  mapAsync,
  toChatChunks,
  toChatResponse,
  toCompletionsChunks,
  toCompletionsResponse,
  toEmbeddingsResponse,
} from "./wire.js";

/** How one OpenAI-compatible upstream is reached. */
export interface OpenAiCompatibleOptions {
  /** Name used in error messages ("OpenAI", "Groq"). */
  displayName: string;
  baseUrl: string;
  headers: Record<string, string>;
  model: string | undefined;
  /** Send `model` in the body (Azure addresses the deployment in the URL instead). */
  sendModel?: boolean;
  /** Paths under the base for each endpoint type, and a query string appended to each (Azure's api-version). */
  paths?: Partial<Record<EndpointType, string>>;
  query?: string;
  /** Serve completions through `/chat/completions` (what MLflow does for OpenAI). */
  completionsViaChat?: boolean;
  endpointTypes?: readonly EndpointType[];
}

const DEFAULT_PATHS: Record<EndpointType, string> = {
  "llm/v1/chat": "/chat/completions",
  "llm/v1/completions": "/completions",
  "llm/v1/embeddings": "/embeddings",
};

/**
 * The factory behind every OpenAI-compatible provider (OpenAI, Azure OpenAI, Mistral, Together,
 * vLLM, Ollama, Groq, DeepSeek, ...): each differs only in base URL, auth headers and paths.
 */
export function createOpenAiCompatible(o: OpenAiCompatibleOptions, deps: ProviderDeps): Provider {
  const base: Base = parseBase(o.baseUrl);
  const paths = { ...DEFAULT_PATHS, ...o.paths };
  const q = o.query ? `?${o.query}` : "";
  const chatPath = paths["llm/v1/chat"] + q;
  const completionsPath = (o.completionsViaChat ? paths["llm/v1/chat"] : paths["llm/v1/completions"]) + q;
  const embeddingsPath = paths["llm/v1/embeddings"] + q;
  const model = o.sendModel === false ? undefined : o.model;
  const name = o.displayName;
  const types = new Set(o.endpointTypes ?? ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]);
  const http = deps.http;
  const post = (path: string, body: unknown, opts: CallOptions) => ({
    base,
    path,
    headers: o.headers,
    body,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    provider: name,
  });

  const provider: Provider = {};
  if (types.has("llm/v1/chat")) {
    provider.chat = async (req: ChatRequest, opts) =>
      toChatResponse(await http.json(post(chatPath, chatBody(req, model, false), opts)), o.model, name);
    provider.chatStream = async (req: ChatRequest, opts) =>
      toChatChunks(await http.stream(post(chatPath, chatBody(req, model, true), opts)), o.model, name);
  }
  if (types.has("llm/v1/completions")) {
    if (o.completionsViaChat) {
      provider.completions = async (req: CompletionsRequest, opts) =>
        chatToCompletions(
          toChatResponse(await http.json(post(completionsPath, chatBody(req, model, false), opts)), o.model, name),
        );
      provider.completionsStream = async (req: CompletionsRequest, opts) =>
        mapAsync(
          toChatChunks(await http.stream(post(completionsPath, chatBody(req, model, true), opts)), o.model, name),
          chatChunkToCompletionsChunk,
        );
    } else {
      provider.completions = async (req: CompletionsRequest, opts) =>
        toCompletionsResponse(
          await http.json(post(completionsPath, completionsBody(req, model, false), opts)),
          o.model,
          name,
        );
      provider.completionsStream = async (req: CompletionsRequest, opts) =>
        toCompletionsChunks(
          await http.stream(post(completionsPath, completionsBody(req, model, true), opts)),
          o.model,
          name,
        );
    }
  }
  if (types.has("llm/v1/embeddings")) {
    provider.embeddings = async (req, opts) =>
      toEmbeddingsResponse(await http.json(post(embeddingsPath, embeddingsBody(req, model), opts)), o.model, name);
  }
  return provider;
}

export function unsupported(provider: string, what: string): never {
  throw GatewayError.badRequest(`${provider} does not support ${what}.`);
}
