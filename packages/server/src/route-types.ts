import type { IncomingMessage, ServerResponse } from "node:http";
import type { RegistryStore, TrackingStore, WebhookStore } from "@mlflow-ts/store";
import type { z } from "zod";
import type { ServerConfig } from "./config.js";
import type { ArtifactService } from "./handlers/artifact-service.js";

/** HEAD is only routed where a raw route declares it (the UI's static routes). */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HandlerContext {
  store: TrackingStore;
  registry: RegistryStore;
  webhooks: WebhookStore;
  artifacts: ArtifactService;
  config: ServerConfig;
  /**
   * The request's user name (from basic-auth credentials, which MLflow clients send when
   * MLFLOW_TRACKING_USERNAME is set), recorded in the registry audit history. Not verified here.
   */
  user?: string | undefined;
}

/**
 * Where a route is mounted: `api` under `/api/2.0` and `/ajax-api/2.0`, `ajax` under
 * `/ajax-api/2.0` only, `root` at the server root (`/health`). The static prefix applies to all.
 */
export type Mount = "api" | "ajax" | "root";

/** Which server mode serves the route: tracking routes are off in --artifacts-only mode, proxy routes with --no-serve-artifacts. */
export type Area = "tracking" | "artifacts" | "always";

export interface JsonRoute<S extends z.ZodType = z.ZodType> {
  kind: "json";
  method: HttpMethod;
  path: string;
  mount: Mount;
  area: Area;
  input: S;
  handler: (input: z.output<S>, ctx: HandlerContext) => Promise<object>;
}

export interface RawRoute {
  kind: "raw";
  method: HttpMethod;
  /** Exact path, or a prefix when `prefix` is set; the remainder is passed to the handler. */
  path: string;
  prefix?: boolean;
  mount: Mount;
  area: Area;
  handler: (req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, rest: string, url: URL) => Promise<void>;
}

export type Route = JsonRoute | RawRoute;

export function json<S extends z.ZodType>(
  method: HttpMethod,
  path: string,
  input: S,
  handler: (input: z.output<S>, ctx: HandlerContext) => Promise<object>,
  options: { mount?: Mount; area?: Area } = {},
): JsonRoute {
  return {
    kind: "json",
    method,
    path,
    input,
    handler: handler as JsonRoute["handler"],
    mount: options.mount ?? "api",
    area: options.area ?? "tracking",
  };
}
