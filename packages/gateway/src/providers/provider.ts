import type { z } from "zod";
import type { Redactor } from "../redact.js";
import type {
  ChatChunk,
  ChatRequest,
  ChatResponse,
  CompletionsChunk,
  CompletionsRequest,
  CompletionsResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  EndpointType,
} from "../schemas/unified.js";
import type { UpstreamHttp } from "./upstream-http.js";

export interface CallOptions {
  /** Time to response headers, and the longest silence while reading the body, in ms. */
  timeoutMs: number;
  /** Aborted when the client goes away (streams). */
  signal?: AbortSignal | undefined;
}

/**
 * One configured model of one provider. Methods translate MLflow's unified schemas to the
 * provider's wire format and back. A method that is absent means the provider does not offer
 * that endpoint type. Stream methods resolve once the upstream has accepted the request (so
 * errors before the first chunk are ordinary errors) and then yield unified chunks.
 * Errors: throw UpstreamError / UpstreamTimeoutError / UpstreamConnectionError (UpstreamHttp
 * does this for HTTP failures), or GatewayError for a request the provider cannot serve.
 */
export interface Provider {
  chat?(req: ChatRequest, opts: CallOptions): Promise<ChatResponse>;
  chatStream?(req: ChatRequest, opts: CallOptions): Promise<AsyncIterable<ChatChunk>>;
  completions?(req: CompletionsRequest, opts: CallOptions): Promise<CompletionsResponse>;
  completionsStream?(req: CompletionsRequest, opts: CallOptions): Promise<AsyncIterable<CompletionsChunk>>;
  embeddings?(req: EmbeddingsRequest, opts: CallOptions): Promise<EmbeddingsResponse>;
}

export interface ProviderDeps {
  http: UpstreamHttp;
  redactor: Redactor;
  /** The environment the gateway was started with (AWS's default credential variables). */
  env: Record<string, string | undefined>;
}

export interface ModelSpec<C> {
  /** The provider's model id (`gpt-4o-mini`); some providers work without one. */
  name: string | undefined;
  config: C;
  endpointType: EndpointType;
}

/**
 * A provider kind: its id (and aliases), the zod schema of its `model.config`, which config
 * fields are secrets (resolved from `$ENV`, a file or a literal, and redacted everywhere), the
 * endpoint types it serves, and a factory.
 */
export interface ProviderDefinition<C = Record<string, unknown>> {
  id: string;
  aliases?: readonly string[];
  displayName: string;
  configSchema: z.ZodType<C>;
  /** Config keys holding secrets, besides every key ending in `_api_key`. */
  secretFields?: readonly string[];
  endpointTypes: readonly EndpointType[];
  /** Extra checks on the model name for an endpoint type; returns an error message or undefined. */
  checkModel?(name: string | undefined, type: EndpointType): string | undefined;
  create(model: ModelSpec<C>, deps: ProviderDeps): Provider;
}

/** Helper to keep definitions typed by their schema. */
export function defineProvider<S extends z.ZodType>(
  def: Omit<ProviderDefinition<z.output<S>>, "configSchema"> & { configSchema: S },
): ProviderDefinition {
  return def as unknown as ProviderDefinition;
}
