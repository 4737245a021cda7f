import { z } from "zod";
import { GatewayError, UpstreamError } from "../../errors.js";
import {
  type ChatChunk,
  type ChatRequest,
  type ChatResponse,
  type CompletionsRequest,
  messageText,
  newId,
  nowSeconds,
  usage,
} from "../../schemas/unified.js";
import { chatChunkToCompletionsChunk, chatToCompletions, mapAsync } from "../openai-compatible/wire.js";
import { type CallOptions, defineProvider, type ProviderDeps } from "../provider.js";
import { parseBase } from "../upstream-http.js";
import { decodeEventStream } from "./event-stream.js";
import { type AwsCredentials, signV4 } from "./sigv4.js";

type Json = Record<string, unknown>;

const AwsConfig = z
  .strictObject({
    aws_region: z.string().optional(),
    aws_access_key_id: z.string().optional(),
    aws_secret_access_key: z.string().optional(),
    aws_session_token: z.string().optional(),
    aws_role_arn: z.string().optional(),
    session_length_seconds: z.number().int().positive().optional(),
    /** mlflow-ts extension: another endpoint (VPC endpoint, or a fake upstream in tests). */
    aws_endpoint_url: z.url().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.aws_role_arn !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["aws_role_arn"],
        message:
          "role assumption is not supported by mlflow-ts yet; give aws_access_key_id and aws_secret_access_key, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the gateway",
      });
    if ((c.aws_access_key_id === undefined) !== (c.aws_secret_access_key === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["aws_secret_access_key"],
        message: "aws_access_key_id and aws_secret_access_key go together",
      });
  });

const BedrockConfig = z.strictObject({ aws_config: AwsConfig.default({}) });

const FINISH: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filtered: "content_filter",
  guardrail_intervened: "content_filter",
};
const finish = (r: unknown) => (typeof r === "string" ? (FINISH[r] ?? r) : null);

/** The unified chat in Bedrock's Converse shape (the same for every model family). Temperature is halved to Bedrock's 0-1. */
export function toConverse(req: ChatRequest): Json {
  if (req.n > 1) throw GatewayError.badRequest("Bedrock does not support n > 1.");
  const system: Json[] = [];
  const messages: Json[] = [];
  for (const m of req.messages) {
    if (m.role === "system") system.push({ text: messageText(m.content) });
    else
      messages.push({
        role: m.role === "assistant" ? "assistant" : "user",
        content: [{ text: messageText(m.content) }],
      });
  }
  const inferenceConfig: Json = { temperature: req.temperature / 2 };
  if (req.max_tokens) inferenceConfig.maxTokens = req.max_tokens;
  if (req.stop) inferenceConfig.stopSequences = req.stop;
  if (typeof req.top_p === "number") inferenceConfig.topP = req.top_p;
  const body: Json = { messages, inferenceConfig };
  if (system.length) body.system = system;
  return body;
}

function asChat(req: CompletionsRequest): ChatRequest {
  const { prompt, ...rest } = req;
  return { ...rest, messages: [{ role: "user", content: prompt }] } as ChatRequest;
}

function credentialsFrom(c: z.output<typeof AwsConfig>, env: ProviderDeps["env"]): AwsCredentials {
  if (c.aws_access_key_id && c.aws_secret_access_key)
    return {
      accessKeyId: c.aws_access_key_id,
      secretAccessKey: c.aws_secret_access_key,
      sessionToken: c.aws_session_token,
    };
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (!id || !secret)
    throw GatewayError.badRequest(
      "No AWS credentials: set aws_access_key_id/aws_secret_access_key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
    );
  return { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN };
}

/** Amazon Bedrock through the Converse API, signed with SigV4; embeddings through InvokeModel (Titan or Cohere models). */
export const bedrock = defineProvider({
  id: "bedrock",
  aliases: ["amazon-bedrock"],
  displayName: "Amazon Bedrock",
  configSchema: BedrockConfig,
  secretFields: ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"],
  endpointTypes: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"],
  checkModel: (name) => (name ? undefined : "model.name (the Bedrock model id) is required for bedrock"),
  create(model, deps) {
    const aws = model.config.aws_config;
    const region = aws.aws_region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION ?? "us-east-1";
    const endpoint = aws.aws_endpoint_url ?? `https://bedrock-runtime.${region}.amazonaws.com`;
    const base = parseBase(endpoint);
    const host = new URL(endpoint).host;
    const modelId = model.name as string;
    const modelPath = `/model/${encodeURIComponent(modelId)}`;
    let creds: AwsCredentials | undefined;
    const signed = (path: string, body: Json, opts: CallOptions, accept: string) => {
      creds ??= credentialsFrom(aws, deps.env);
      const raw = JSON.stringify(body);
      const headers = signV4({
        method: "POST",
        host,
        path: base.path + path,
        query: "",
        headers: { "content-type": "application/json", accept },
        body: raw,
        region,
        service: "bedrock",
        credentials: creds,
      });
      delete headers.host;
      return {
        base,
        path,
        headers,
        body,
        rawBody: raw,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        provider: "Amazon Bedrock",
      };
    };
    const chat = async (r: ChatRequest, opts: CallOptions): Promise<ChatResponse> => {
      const o = (await deps.http.json(
        signed(`${modelPath}/converse`, toConverse(r), opts, "application/json"),
      )) as Json;
      const message = ((o.output ?? {}) as Json).message as Json | undefined;
      if (!message || !Array.isArray(message.content))
        throw new UpstreamError(0, "Amazon Bedrock returned a response without 'output.message'.");
      let text = "";
      for (const b of message.content as Json[]) if (typeof b.text === "string") text += b.text;
      const u = (o.usage ?? {}) as Json;
      return {
        id: newId("chatcmpl"),
        object: "chat.completion",
        created: nowSeconds(),
        model: modelId,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finish(o.stopReason) }],
        usage: usage(u.inputTokens as number, u.outputTokens as number),
      };
    };
    const chatStream = async (r: ChatRequest, opts: CallOptions) => {
      const stream = await deps.http.stream(
        signed(`${modelPath}/converse-stream`, toConverse(r), opts, "application/vnd.amazon.eventstream"),
      );
      return (async function* (): AsyncGenerator<ChatChunk> {
        const id = newId("chatcmpl");
        const created = nowSeconds();
        const chunk = (delta: ChatChunk["choices"][0]["delta"], fr: string | null = null): ChatChunk => ({
          id,
          object: "chat.completion.chunk",
          created,
          model: modelId,
          choices: [{ index: 0, finish_reason: fr, delta }],
        });
        for await (const msg of decodeEventStream(stream)) {
          let o: Json = {};
          try {
            o = msg.payload.length ? (JSON.parse(msg.payload.toString("utf8")) as Json) : {};
          } catch {
            throw new UpstreamError(0, "Amazon Bedrock sent a stream event that is not JSON.");
          }
          if (msg.headers[":message-type"] === "exception" || msg.headers[":message-type"] === "error") {
            const type = msg.headers[":exception-type"] ?? msg.headers[":error-code"] ?? "error";
            throw new UpstreamError(
              type === "throttlingException" ? 429 : 0,
              `Amazon Bedrock reported ${type} mid-stream: ${String(o.message ?? o.Message ?? "")}`,
            );
          }
          switch (msg.headers[":event-type"]) {
            case "messageStart":
              yield chunk({ role: "assistant", content: "" });
              break;
            case "contentBlockDelta": {
              const t = ((o.delta ?? {}) as Json).text;
              if (typeof t === "string") yield chunk({ content: t });
              break;
            }
            case "messageStop":
              yield chunk({}, finish(o.stopReason));
              break;
            case "metadata": {
              const u = (o.usage ?? {}) as Json;
              const c = chunk({});
              c.choices = [];
              c.usage = usage(u.inputTokens as number, u.outputTokens as number);
              yield c;
              break;
            }
            default:
              break;
          }
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
        const path = `${modelPath}/invoke`;
        if (modelId.startsWith("cohere.")) {
          const o = (await deps.http.json(
            signed(path, { texts, input_type: "search_document" }, opts, "application/json"),
          )) as Json;
          if (!Array.isArray(o.embeddings))
            throw new UpstreamError(0, "Amazon Bedrock returned a response without 'embeddings'.");
          return {
            object: "list",
            data: (o.embeddings as number[][]).map((e, i) => ({ object: "embedding", embedding: e, index: i })),
            model: modelId,
            usage: { prompt_tokens: null, total_tokens: null },
          };
        }
        // Titan embeds one text per call.
        const results = await Promise.all(
          texts.map((t) => deps.http.json(signed(path, { inputText: t }, opts, "application/json"))),
        );
        let tokens = 0;
        const data = results.map((res, i) => {
          const o = res as Json;
          if (!Array.isArray(o.embedding))
            throw new UpstreamError(0, "Amazon Bedrock returned a response without 'embedding'.");
          tokens += (o.inputTextTokenCount as number) ?? 0;
          return { object: "embedding" as const, embedding: o.embedding as number[], index: i };
        });
        return { object: "list", data, model: modelId, usage: { prompt_tokens: tokens, total_tokens: tokens } };
      },
    };
  },
});
