import { z } from "zod";
import { UpstreamError } from "../../errors.js";
import { type CompletionsRequest, extras, newId, nowSeconds, usage } from "../../schemas/unified.js";
import { createOpenAiCompatible } from "../openai-compatible/factory.js";
import { defineProvider } from "../provider.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const Ai21Config = z.strictObject({
  ai21labs_api_key: z.string(),
  /** mlflow-ts extension. */
  ai21labs_api_base: z.url().default("https://api.ai21.com/studio/v1"),
});

export const AI21_COMPLETION_MODELS = ["j2-ultra", "j2-mid", "j2-light"];
const FINISH: Record<string, string> = { endoftext: "stop", length: "length", stop: "stop" };
const KNOWN = new Set(["prompt", "temperature", "n", "stop", "max_tokens", "stream", "model"]);

/** The unified completions request in Jurassic-2's `/complete` shape. */
export function toComplete(req: CompletionsRequest): Json {
  const body: Json = { ...extras(req, KNOWN), prompt: req.prompt, numResults: req.n, temperature: req.temperature };
  if (req.max_tokens) body.maxTokens = req.max_tokens;
  if (req.stop) body.stopSequences = req.stop;
  return body;
}

/**
 * AI21 Labs: Jurassic-2 completions (`/{model}/complete`, MLflow's models j2-ultra, j2-mid,
 * j2-light; no streaming upstream, so a stream is one chunk) and Jamba chat through AI21's
 * OpenAI-compatible `/chat/completions`.
 */
export const ai21labs = defineProvider({
  id: "ai21labs",
  displayName: "AI21 Labs",
  configSchema: Ai21Config,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions"],
  checkModel(name, type) {
    if (type === "llm/v1/completions" && !AI21_COMPLETION_MODELS.includes(name ?? ""))
      return `model.name must be one of ${AI21_COMPLETION_MODELS.join(", ")} for ai21labs completions`;
    return undefined;
  },
  create(model, deps) {
    const c = model.config;
    const base = parseBase(c.ai21labs_api_base);
    const headers = { authorization: `Bearer ${c.ai21labs_api_key}` };
    const chat = createOpenAiCompatible(
      {
        displayName: "AI21 Labs",
        baseUrl: c.ai21labs_api_base,
        headers,
        model: model.name,
        endpointTypes: ["llm/v1/chat"],
      },
      deps,
    );
    return {
      ...chat,
      async completions(r, opts) {
        const o = (await deps.http.json({
          base,
          path: `/${encodeURIComponent(model.name ?? "")}/complete`,
          headers,
          body: toComplete(r),
          timeoutMs: opts.timeoutMs,
          signal: opts.signal,
          provider: "AI21 Labs",
        })) as Json;
        if (!Array.isArray(o.completions))
          throw new UpstreamError(0, "AI21 Labs returned a response without 'completions'.");
        let out = 0;
        const choices = (o.completions as Json[]).map((x, index) => {
          const data = (x.data ?? {}) as Json;
          if (Array.isArray(data.tokens)) out += data.tokens.length;
          const reason = ((x.finishReason ?? {}) as Json).reason as string | undefined;
          return {
            index,
            text: (data.text as string) ?? "",
            finish_reason: reason ? (FINISH[reason] ?? reason) : null,
          };
        });
        const promptTokens = ((o.prompt ?? {}) as Json).tokens;
        return {
          id: String(o.id ?? newId("cmpl")),
          object: "text_completion",
          created: nowSeconds(),
          model: model.name ?? "",
          choices,
          usage: usage(Array.isArray(promptTokens) ? promptTokens.length : undefined, out),
        };
      },
    };
  },
});
