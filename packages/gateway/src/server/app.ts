import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError } from "../errors.js";
import { renderError, sendJson, toGatewayError } from "./respond.js";
import type { GatewayContext, GatewayRoute, HttpMethod } from "./route-types.js";

const EMPTY_QUERY = new URLSearchParams();

interface Pattern {
  segments: string[];
  byMethod: Map<HttpMethod, GatewayRoute>;
}

/**
 * Builds the request listener from the route table: exact paths are one map lookup, paths with
 * `{name}` are matched segment by segment. Errors go through one hook per route style.
 */
export function createGatewayListener(routes: readonly GatewayRoute[], ctx: GatewayContext) {
  const exact = new Map<string, Map<HttpMethod, GatewayRoute>>();
  const patterns: Pattern[] = [];
  for (const r of routes) {
    if (!r.path.includes("{")) {
      const m = exact.get(r.path) ?? new Map();
      m.set(r.method, r);
      exact.set(r.path, m);
      continue;
    }
    const segments = r.path.split("/");
    let p = patterns.find((x) => x.segments.join("/") === segments.join("/"));
    if (!p) {
      p = { segments, byMethod: new Map() };
      patterns.push(p);
    }
    p.byMethod.set(r.method, r);
  }

  const match = (
    path: string,
  ): { byMethod: Map<HttpMethod, GatewayRoute>; params: Record<string, string> } | undefined => {
    const e = exact.get(path);
    if (e) return { byMethod: e, params: {} };
    const parts = path.split("/");
    outer: for (const p of patterns) {
      if (p.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = p.segments[i] as string;
        const got = parts[i] as string;
        if (seg.charCodeAt(0) === 123 /* { */) {
          if (got === "") continue outer;
          try {
            params[seg.slice(1, -1)] = decodeURIComponent(got);
          } catch {
            continue outer;
          }
        } else if (seg !== got) continue outer;
      }
      return { byMethod: p.byMethod, params };
    }
    return undefined;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method as HttpMethod;
    if (path === "/metrics" && method === "GET") {
      req.resume();
      const text = await ctx.metricsText();
      res.writeHead(200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const found = match(path);
    const route = found?.byMethod.get(method);
    if (!found || !route) {
      req.resume();
      const style = path.startsWith("/v1/") ? "openai" : "mlflow";
      const err = found
        ? new GatewayError(405, "BAD_REQUEST", `Method ${method} is not allowed on ${path}.`)
        : new GatewayError(404, "ENDPOINT_NOT_FOUND", `No route ${method} ${path}.`);
      renderError(res, err, style, ctx.redactor);
      return;
    }
    const query = q < 0 ? EMPTY_QUERY : new URLSearchParams(url.slice(q + 1));
    try {
      if (route.kind === "raw") {
        await route.handler({ req, res, params: found.params, query, ctx });
        return;
      }
      if (method === "GET") req.resume();
      const body = await route.handler({ req, res, params: found.params, query, ctx });
      sendJson(res, 200, body);
    } catch (e) {
      renderError(res, toGatewayError(e, ctx.log, ctx.redactor), route.style, ctx.redactor);
    }
  };
}
