import * as h from "./handlers.js";
import { type GatewayRoute, json, raw } from "./route-types.js";

/**
 * The gateway's route table: MLflow's deployments routes, the legacy 2.5-2.8 gateway routes,
 * and the OpenAI-compatible routes (`model` names the endpoint). `{name}` is one path segment.
 */
export const ROUTES: readonly GatewayRoute[] = [
  json("GET", "/health", h.health),

  // MLflow deployments server
  json("GET", "/api/2.0/endpoints/", h.listEndpoints),
  json("GET", "/api/2.0/endpoints", h.listEndpoints),
  json("GET", "/api/2.0/endpoints/{name}", h.getEndpoint),
  raw("POST", "/endpoints/{name}/invocations", h.invokeByName),
  raw("POST", "/gateway/{name}/invocations", h.invokeByName),
  json("GET", "/api/2.0/endpoints/limits/{name}", h.limitsNotImplemented),
  json("POST", "/api/2.0/endpoints/limits/", h.limitsNotImplemented),

  // MLflow AI Gateway 2.5-2.8
  json("GET", "/api/2.0/gateway/routes/", h.listRoutes),
  json("GET", "/api/2.0/gateway/routes", h.listRoutes),
  json("GET", "/api/2.0/gateway/routes/{name}", h.getRoute),
  json("GET", "/api/2.0/gateway/limits/{name}", h.limitsNotImplemented),
  json("POST", "/api/2.0/gateway/limits/", h.limitsNotImplemented),

  // OpenAI-compatible
  raw("POST", "/v1/chat/completions", h.openAiRoute("llm/v1/chat"), "openai"),
  raw("POST", "/v1/completions", h.openAiRoute("llm/v1/completions"), "openai"),
  raw("POST", "/v1/embeddings", h.openAiRoute("llm/v1/embeddings"), "openai"),
  json("GET", "/v1/models", h.listModels, "openai"),
  json("GET", "/v1/models/{name}", h.getModel, "openai"),
];
