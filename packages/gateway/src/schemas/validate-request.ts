import { GatewayError } from "../errors.js";
import type { ChatRequest, CompletionsRequest, EmbeddingsRequest, EndpointType } from "./unified.js";

/**
 * Validates a unified request body by hand (this is the hot path; a schema library costs more
 * than the rest of the request). Applies MLflow's defaults: temperature 0.0, n 1. Unknown
 * fields are kept for the provider. `candidate_count` (the 2.5-2.8 name of `n`) is accepted.
 */
export function validateRequest(
  type: EndpointType,
  body: Record<string, unknown>,
): ChatRequest | CompletionsRequest | EmbeddingsRequest {
  switch (type) {
    case "llm/v1/chat":
      return validateChat(body);
    case "llm/v1/completions":
      return validateCompletions(body);
    case "llm/v1/embeddings":
      return validateEmbeddings(body);
  }
}

function fail(message: string): never {
  throw GatewayError.badRequest(message);
}

function common(body: Record<string, unknown>): void {
  if (body.candidate_count !== undefined && body.n === undefined) {
    body.n = body.candidate_count;
  }
  delete body.candidate_count;
  const t = body.temperature;
  if (t === undefined || t === null) body.temperature = 0;
  else if (typeof t !== "number" || !Number.isFinite(t) || t < 0 || t > 2)
    fail("Invalid value for 'temperature': expected a number between 0 and 2.");
  const n = body.n;
  if (n === undefined || n === null) body.n = 1;
  else if (!Number.isInteger(n) || (n as number) < 1) fail("Invalid value for 'n': expected an integer >= 1.");
  const stop = body.stop;
  if (stop === null) delete body.stop;
  else if (typeof stop === "string") body.stop = [stop];
  else if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.length === 0 || stop.some((s) => typeof s !== "string"))
      fail("Invalid value for 'stop': expected a non-empty list of strings.");
  }
  const mt = body.max_tokens;
  if (mt === null) delete body.max_tokens;
  else if (mt !== undefined && (!Number.isInteger(mt) || (mt as number) < 1))
    fail("Invalid value for 'max_tokens': expected an integer >= 1.");
  const s = body.stream;
  if (s === null) delete body.stream;
  else if (s !== undefined && typeof s !== "boolean") fail("Invalid value for 'stream': expected a boolean.");
}

function validateChat(body: Record<string, unknown>): ChatRequest {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    fail("Missing value for required field 'messages': expected a non-empty list of messages.");
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Record<string, unknown> | null;
    if (m === null || typeof m !== "object" || Array.isArray(m))
      fail(`Invalid value for 'messages[${i}]': expected an object.`);
    if (typeof m.role !== "string") fail(`Missing value for required field 'messages[${i}].role'.`);
    const c = m.content;
    if (c !== undefined && c !== null && typeof c !== "string" && !Array.isArray(c))
      fail(`Invalid value for 'messages[${i}].content': expected a string or a list of content parts.`);
    if ((c === undefined || c === null) && !m.tool_calls && m.role !== "assistant")
      fail(`Missing value for required field 'messages[${i}].content'.`);
  }
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools))
    fail("Invalid value for 'tools': expected a list.");
  if (body.tools === null) delete body.tools;
  common(body);
  return body as ChatRequest;
}

function validateCompletions(body: Record<string, unknown>): CompletionsRequest {
  if (typeof body.prompt !== "string") fail("Missing value for required field 'prompt': expected a string.");
  common(body);
  return body as CompletionsRequest;
}

function validateEmbeddings(body: Record<string, unknown>): EmbeddingsRequest {
  // MLflow 2.5-2.8 clients send `text`.
  if (body.input === undefined && body.text !== undefined) {
    body.input = body.text;
    delete body.text;
  }
  const input = body.input;
  const ok =
    (typeof input === "string" && input.length > 0) ||
    (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === "string"));
  if (!ok) fail("Missing value for required field 'input': expected a string or a non-empty list of strings.");
  if (body.stream === true) fail("Streaming is not supported for embeddings endpoints.");
  delete body.stream;
  return body as EmbeddingsRequest;
}
