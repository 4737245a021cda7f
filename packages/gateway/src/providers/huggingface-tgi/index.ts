import { z } from "zod";
import { GatewayError, UpstreamError } from "../../errors.js";
import {
  type CompletionsChunk,
  type CompletionsRequest,
  extras,
  newId,
  nowSeconds,
  usage,
} from "../../schemas/unified.js";
import { createOpenAiCompatible } from "../openai-compatible/factory.js";
import { type CallOptions, defineProvider } from "../provider.js";
import { parseSse } from "../sse.js";
import { parseBase } from "../upstream-http.js";

type Json = Record<string, unknown>;

const TgiConfig = z.strictObject({ hf_server_url: z.url() });

const FINISH: Record<string, string> = { length: "length", eos_token: "stop", stop_sequence: "stop" };
const finish = (r: unknown) => (typeof r === "string" ? (FINISH[r] ?? r) : null);
const KNOWN = new Set(["prompt", "temperature", "n", "stop", "max_tokens", "stream", "model"]);

/** TGI's `/generate` parameters. TGI refuses temperature 0, so 0 means greedy decoding (`do_sample: false`). */
export function toGenerate(req: CompletionsRequest): Json {
  if (req.n > 1) throw GatewayError.badRequest("Hugging Face TGI does not support n > 1.");
  const parameters: Json = { ...extras(req, KNOWN), details: true, decoder_input_details: true };
  if (req.temperature > 0) {
    parameters.temperature = req.temperature;
    parameters.do_sample = true;
  } else parameters.do_sample = false;
  if (req.max_tokens) parameters.max_new_tokens = req.max_tokens;
  if (req.stop) parameters.stop = req.stop;
  return { inputs: req.prompt, parameters };
}

/**
 * Hugging Face Text Generation Inference: completions through `/generate` and
 * `/generate_stream`, chat through TGI's OpenAI-compatible Messages API (`/v1/chat/completions`).
 */
export const huggingfaceTgi = defineProvider({
  id: "huggingface-text-generation-inference",
  displayName: "Hugging Face TGI",
  configSchema: TgiConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions"],
  create(model, deps) {
    const base = parseBase(model.config.hf_server_url);
    const chat = createOpenAiCompatible(
      {
        displayName: "Hugging Face TGI",
        baseUrl: `${model.config.hf_server_url.replace(/\/+$/, "")}/v1`,
        headers: {},
        model: model.name ?? "tgi",
        endpointTypes: ["llm/v1/chat"],
      },
      deps,
    );
    const req = (path: string, body: Json, opts: CallOptions) => ({
      base,
      path,
      headers: {},
      body,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      provider: "Hugging Face TGI",
    });
    return {
      ...chat,
      async completions(r, opts) {
        const o = (await deps.http.json(req("/generate", toGenerate(r), opts))) as Json;
        if (typeof o.generated_text !== "string")
          throw new UpstreamError(0, "Hugging Face TGI returned a response without 'generated_text'.");
        const d = (o.details ?? {}) as Json;
        return {
          id: newId("cmpl"),
          object: "text_completion",
          created: nowSeconds(),
          model: model.name ?? "",
          choices: [{ index: 0, text: o.generated_text, finish_reason: finish(d.finish_reason) }],
          usage: usage(
            Array.isArray(d.prefill) ? d.prefill.length : undefined,
            d.generated_tokens as number | undefined,
          ),
        };
      },
      async completionsStream(r, opts) {
        const stream = await deps.http.stream(req("/generate_stream", toGenerate(r), opts));
        return (async function* (): AsyncGenerator<CompletionsChunk> {
          const id = newId("cmpl");
          const created = nowSeconds();
          for await (const ev of parseSse(stream)) {
            let o: Json;
            try {
              o = JSON.parse(ev.data) as Json;
            } catch {
              throw new UpstreamError(0, "Hugging Face TGI sent a stream event that is not JSON.");
            }
            if (o.error)
              throw new UpstreamError(0, `Hugging Face TGI reported an error mid-stream: ${String(o.error)}`);
            const token = (o.token ?? {}) as Json;
            const text = token.special ? "" : ((token.text as string) ?? "");
            const d = o.details as Json | null | undefined;
            yield {
              id,
              object: "text_completion_chunk",
              created,
              model: model.name ?? "",
              choices: [
                { index: 0, finish_reason: d ? finish(d.finish_reason) : null, text, delta: { content: text } },
              ],
            };
          }
        })();
      },
    };
  },
});
