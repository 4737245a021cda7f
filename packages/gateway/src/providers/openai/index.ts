import { z } from "zod";
import { createOpenAiCompatible } from "../openai-compatible/factory.js";
import { defineProvider } from "../provider.js";

const OpenAiConfig = z
  .strictObject({
    openai_api_key: z.string(),
    openai_api_type: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(["openai", "azure", "azuread"], { error: "must be one of openai, azure, azuread" }))
      .default("openai"),
    openai_api_base: z.url().optional(),
    openai_api_version: z.string().optional(),
    openai_deployment_name: z.string().optional(),
    openai_organization: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.openai_api_type === "openai") {
      if (c.openai_deployment_name !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["openai_deployment_name"],
          message: "is only allowed when openai_api_type is azure or azuread",
        });
    } else {
      for (const k of ["openai_api_base", "openai_deployment_name", "openai_api_version"] as const)
        if (c[k] === undefined)
          ctx.addIssue({
            code: "custom",
            path: [k],
            message: `is required when openai_api_type is ${c.openai_api_type}`,
          });
      if (c.openai_organization !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["openai_organization"],
          message: "is only allowed when openai_api_type is openai",
        });
    }
  });

/** OpenAI, and Azure OpenAI (`openai_api_type: azure` with an `api-key` header, `azuread` with a bearer token). */
export const openai = defineProvider({
  id: "openai",
  displayName: "OpenAI",
  configSchema: OpenAiConfig,
  endpointTypes: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"],
  create(model, deps) {
    const c = model.config;
    if (c.openai_api_type === "openai") {
      const headers: Record<string, string> = { authorization: `Bearer ${c.openai_api_key}` };
      if (c.openai_organization) headers["openai-organization"] = c.openai_organization;
      return createOpenAiCompatible(
        {
          displayName: "OpenAI",
          baseUrl: c.openai_api_base ?? "https://api.openai.com/v1",
          headers,
          model: model.name,
          completionsViaChat: true,
        },
        deps,
      );
    }
    const headers: Record<string, string> =
      c.openai_api_type === "azure" ? { "api-key": c.openai_api_key } : { authorization: `Bearer ${c.openai_api_key}` };
    const base = `${(c.openai_api_base as string).replace(/\/+$/, "")}/openai/deployments/${encodeURIComponent(c.openai_deployment_name as string)}`;
    return createOpenAiCompatible(
      {
        displayName: "Azure OpenAI",
        baseUrl: base,
        headers,
        model: model.name,
        sendModel: false,
        query: `api-version=${encodeURIComponent(c.openai_api_version as string)}`,
        completionsViaChat: true,
      },
      deps,
    );
  },
});
