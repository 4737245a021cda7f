import { ai21labs } from "./ai21labs/index.js";
import { anthropic } from "./anthropic/index.js";
import { bedrock } from "./bedrock/index.js";
import { cohere } from "./cohere/index.js";
import { gemini } from "./gemini/index.js";
import { huggingfaceTgi } from "./huggingface-tgi/index.js";
import { mlflowModelServing } from "./mlflow-model-serving/index.js";
import { openai } from "./openai/index.js";
import { PRESETS } from "./openai-compatible/presets.js";
import type { ProviderDefinition } from "./provider.js";

/** Built-in providers. A new provider is one folder under providers/ and one line here. */
export const BUILT_IN_PROVIDERS: readonly ProviderDefinition[] = [
  openai,
  anthropic,
  cohere,
  gemini,
  bedrock,
  huggingfaceTgi,
  mlflowModelServing,
  ai21labs,
  ...PRESETS,
];

/** Provider ids are case-insensitive and `-`/`_` are interchangeable, as in MLflow. */
export function normalizeProviderId(id: string): string {
  return id.trim().toLowerCase().replace(/_/g, "-");
}

export class ProviderRegistry {
  private readonly byId = new Map<string, ProviderDefinition>();

  constructor(defs: readonly ProviderDefinition[] = BUILT_IN_PROVIDERS) {
    for (const d of defs) this.register(d);
  }

  register(def: ProviderDefinition): void {
    for (const id of [def.id, ...(def.aliases ?? [])]) this.byId.set(normalizeProviderId(id), def);
  }

  get(id: string): ProviderDefinition | undefined {
    return this.byId.get(normalizeProviderId(id));
  }

  ids(): string[] {
    return [...new Set([...this.byId.values()].map((d) => d.id))].sort();
  }
}
