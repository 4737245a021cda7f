import { z } from "zod";
import type { EndpointType } from "../../schemas/unified.js";
import { defineProvider, type ProviderDefinition } from "../provider.js";
import { createOpenAiCompatible } from "./factory.js";

interface Preset {
  id: string;
  aliases?: string[];
  displayName: string;
  /** Default base URL; undefined means `<prefix>_api_base` is required. */
  defaultBase?: string;
  /** Config keys are `<prefix>_api_key` and `<prefix>_api_base`. */
  prefix: string;
  keyRequired: boolean;
  endpointTypes: EndpointType[];
  completionsViaChat?: boolean;
}

/**
 * Defines a provider for an OpenAI-compatible upstream from a few facts. Adding one more
 * (a new hosted API that speaks OpenAI's wire format) is one entry in PRESETS.
 */
export function openAiCompatiblePreset(p: Preset): ProviderDefinition {
  const keyField = `${p.prefix}_api_key`;
  const baseField = `${p.prefix}_api_base`;
  const schema = z.strictObject({
    [keyField]: p.keyRequired ? z.string() : z.string().optional(),
    [baseField]: p.defaultBase ? z.url().optional() : z.url(),
  });
  return defineProvider({
    id: p.id,
    aliases: p.aliases ?? [],
    displayName: p.displayName,
    configSchema: schema,
    endpointTypes: p.endpointTypes,
    create(model, deps) {
      const c = model.config as Record<string, string | undefined>;
      const key = c[keyField];
      return createOpenAiCompatible(
        {
          displayName: p.displayName,
          baseUrl: c[baseField] ?? (p.defaultBase as string),
          headers: key ? { authorization: `Bearer ${key}` } : {},
          model: model.name,
          completionsViaChat: p.completionsViaChat ?? false,
          endpointTypes: p.endpointTypes,
        },
        deps,
      );
    },
  });
}

const ALL: EndpointType[] = ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"];
const TEXT: EndpointType[] = ["llm/v1/chat", "llm/v1/completions"];

export const PRESETS: ProviderDefinition[] = [
  openAiCompatiblePreset({
    id: "mistral",
    displayName: "Mistral",
    defaultBase: "https://api.mistral.ai/v1",
    prefix: "mistral",
    keyRequired: true,
    endpointTypes: ALL,
    completionsViaChat: true,
  }),
  openAiCompatiblePreset({
    id: "togetherai",
    displayName: "Together AI",
    defaultBase: "https://api.together.xyz/v1",
    prefix: "togetherai",
    keyRequired: true,
    endpointTypes: ALL,
  }),
  openAiCompatiblePreset({
    id: "openai-compatible",
    aliases: ["openai_compatible"],
    displayName: "OpenAI-compatible server",
    prefix: "openai_compatible",
    keyRequired: false,
    endpointTypes: ALL,
  }),
  openAiCompatiblePreset({
    id: "vllm",
    displayName: "vLLM",
    defaultBase: "http://127.0.0.1:8000/v1",
    prefix: "vllm",
    keyRequired: false,
    endpointTypes: ALL,
  }),
  openAiCompatiblePreset({
    id: "ollama",
    displayName: "Ollama",
    defaultBase: "http://127.0.0.1:11434/v1",
    prefix: "ollama",
    keyRequired: false,
    endpointTypes: ALL,
  }),
  openAiCompatiblePreset({
    id: "groq",
    displayName: "Groq",
    defaultBase: "https://api.groq.com/openai/v1",
    prefix: "groq",
    keyRequired: true,
    endpointTypes: TEXT,
    completionsViaChat: true,
  }),
  openAiCompatiblePreset({
    id: "deepseek",
    displayName: "DeepSeek",
    defaultBase: "https://api.deepseek.com/v1",
    prefix: "deepseek",
    keyRequired: true,
    endpointTypes: TEXT,
    completionsViaChat: true,
  }),
  openAiCompatiblePreset({
    id: "xai",
    displayName: "xAI",
    defaultBase: "https://api.x.ai/v1",
    prefix: "xai",
    keyRequired: true,
    endpointTypes: ALL,
    completionsViaChat: true,
  }),
  openAiCompatiblePreset({
    id: "openrouter",
    displayName: "OpenRouter",
    defaultBase: "https://openrouter.ai/api/v1",
    prefix: "openrouter",
    keyRequired: true,
    endpointTypes: TEXT,
    completionsViaChat: true,
  }),
];
