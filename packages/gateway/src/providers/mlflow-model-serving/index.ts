import { z } from "zod";
import { GatewayError, UpstreamError } from "../../errors.js";
import { messageText, newId, nowSeconds, usage } from "../../schemas/unified.js";
import { type CallOptions, defineProvider } from "../provider.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const ServingConfig = z.strictObject({ model_server_url: z.url() });

/** MLflow's payload: the input under `inputs` (always a list), every other set field under `params`. */
function payload(req: Json, key: string, input: unknown): Json {
  const params: Json = {};
  for (const k in req)
    if (k !== key && k !== "stream" && k !== "model" && req[k] !== undefined && req[k] !== null) params[k] = req[k];
  const out: Json = { inputs: Array.isArray(input) ? input : [input] };
  if (Object.keys(params).length) out.params = params;
  return out;
}

/** `{"predictions": [...]}` or `{"predictions": {"choices": [...]}}` as a list of strings. */
function texts(o: Json): string[] {
  if (!("predictions" in o)) throw new UpstreamError(0, "The response is missing the required key: predictions.");
  let p = o.predictions;
  if (p && typeof p === "object" && !Array.isArray(p)) {
    const d = p as Json;
    const keys = Object.keys(d);
    p = keys.length === 1 ? d[keys[0] as string] : d.choices;
  }
  if (!Array.isArray(p) || p.length === 0 || p.some((x) => typeof x !== "string"))
    throw new UpstreamError(0, "The served model must return a non-empty list of strings under 'predictions'.");
  return p as string[];
}

/** A model served by `mlflow-ts models serve` (or `mlflow models serve`): POST `/invocations`. */
export const mlflowModelServing = defineProvider({
  id: "mlflow-model-serving",
  displayName: "MLflow Model Serving",
  configSchema: ServingConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"],
  create(model, deps) {
    const base = parseBase(model.config.model_server_url);
    const name = model.name ?? "";
    const call = (body: Json, opts: CallOptions) =>
      deps.http.json({
        base,
        path: "/invocations",
        headers: {},
        body,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        provider: "MLflow Model Serving",
      }) as Promise<Json>;
    return {
      async completions(r, opts) {
        const out = texts(await call(payload(r, "prompt", r.prompt), opts));
        return {
          id: newId("cmpl"),
          object: "text_completion",
          created: nowSeconds(),
          model: name,
          choices: out.map((text, index) => ({ index, text, finish_reason: null })),
          usage: usage(null, null),
        };
      },
      async chat(r, opts) {
        if (r.messages.length > 1)
          throw new GatewayError(
            422,
            "INVALID_PARAMETER_VALUE",
            `MLflow chat models are only capable of processing a single query at a time. The request submitted consists of ${r.messages.length} queries.`,
          );
        const first = r.messages[0];
        const out = texts(await call(payload(r, "messages", [messageText(first?.content)]), opts));
        return {
          id: newId("chatcmpl"),
          object: "chat.completion",
          created: nowSeconds(),
          model: name,
          choices: out.map((content, index) => ({
            index,
            message: { role: "assistant", content },
            finish_reason: null,
          })),
          usage: usage(null, null),
        };
      },
      async embeddings(r, opts) {
        const o = await call(payload(r, "input", r.input), opts);
        let p = o.predictions;
        if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === "number")) p = [p];
        if (!Array.isArray(p) || p.length === 0 || p.some((v) => !Array.isArray(v) || v.length === 0))
          throw new UpstreamError(0, "The served model must return a non-empty list of vectors under 'predictions'.");
        return {
          object: "list",
          data: (p as number[][]).map((embedding, index) => ({ object: "embedding", embedding, index })),
          model: name,
          usage: { prompt_tokens: null, total_tokens: null },
        };
      },
    };
  },
});
