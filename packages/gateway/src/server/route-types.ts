import type { IncomingMessage, ServerResponse } from "node:http";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Redactor } from "../redact.js";
import type { GatewayRuntime } from "../runtime/gateway-runtime.js";
import type { ErrorStyle } from "./respond.js";

export type HttpMethod = "GET" | "POST";

export interface GatewayContext {
  /** The current configuration generation (swapped by hot reload). */
  runtime(): GatewayRuntime;
  metrics: Metrics;
  limiter: RateLimiter;
  redactor: Redactor;
  log: (msg: string) => void;
  /** The `/metrics` text (a `--workers` gateway merges every worker's counters). */
  metricsText(): Promise<string>;
}

export interface RouteInput {
  req: IncomingMessage;
  res: ServerResponse;
  /** `{name}` path parameters, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  ctx: GatewayContext;
}

/**
 * One row of the route table. `json` handlers return the body to send (200) and throw
 * GatewayError; `raw` handlers write the response themselves (invocations, which may stream).
 */
export type GatewayRoute =
  | {
      kind: "json";
      method: HttpMethod;
      path: string;
      style: ErrorStyle;
      handler: (input: RouteInput) => Promise<object> | object;
    }
  | { kind: "raw"; method: HttpMethod; path: string; style: ErrorStyle; handler: (input: RouteInput) => Promise<void> };

export function json(
  method: HttpMethod,
  path: string,
  handler: (input: RouteInput) => Promise<object> | object,
  style: ErrorStyle = "mlflow",
): GatewayRoute {
  return { kind: "json", method, path, style, handler };
}

export function raw(
  method: HttpMethod,
  path: string,
  handler: (input: RouteInput) => Promise<void>,
  style: ErrorStyle = "mlflow",
): GatewayRoute {
  return { kind: "raw", method, path, style, handler };
}
