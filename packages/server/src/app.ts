import type { IncomingMessage, ServerResponse } from "node:http";
import { MlflowError, parseRequest } from "@mlflow-ts/protocol";
import { isJsonContentType, parseJsonBody, readBody } from "./http/body.js";
import { isJsonStream, sendJsonStream } from "./http/json-stream.js";
import { corsPolicy, handleCors, isApiPath } from "./http/cors.js";
import { arrayFields, queryToObject } from "./http/query.js";
import { sendError, sendJson, sendText } from "./http/respond.js";
import type { Area, HandlerContext, HttpMethod, JsonRoute, RawRoute, Route } from "./route-types.js";

interface Mounted {
  route: Route;
  /**
   * For JSON GET routes: the fields whose query keys may repeat. Found on the route's first GET,
   * so no request schema is built before a request needs it (the schemas are lazy: start-up).
   */
  arrays?: Set<string>;
}

/** Every concrete path a route answers on, given the static prefix. */
function mountPaths(route: Route, prefix: string): string[] {
  switch (route.mount) {
    case "api": {
      const paths = [`/api/2.0${route.path}`, `${prefix}/ajax-api/2.0${route.path}`];
      if (prefix) paths.push(`${prefix}/api/2.0${route.path}`);
      return paths;
    }
    case "ajax":
      return [`${prefix}/ajax-api/2.0${route.path}`];
    case "root":
      return [`${prefix}${route.path}`];
  }
}

/**
 * Builds the request listener: route lookup (exact paths in a map, then prefix routes), body
 * and query decoding, validation, the handler call, and the one error hook.
 */
export function createRequestListener(routes: readonly Route[], ctx: HandlerContext, log: (msg: string) => void) {
  const prefix = ctx.config.staticPrefix;
  const exact = new Map<string, Map<HttpMethod, Mounted>>();
  const prefixed: { path: string; method: HttpMethod; mounted: Mounted }[] = [];
  for (const route of routes) {
    const mounted: Mounted = { route };
    for (const path of mountPaths(route, prefix)) {
      if (route.kind === "raw" && route.prefix) prefixed.push({ path, method: route.method, mounted });
      else {
        const byMethod = exact.get(path) ?? new Map<HttpMethod, Mounted>();
        byMethod.set(route.method, mounted);
        exact.set(path, byMethod);
      }
    }
  }
  prefixed.sort((a, b) => b.path.length - a.path.length);
  const cors = corsPolicy(ctx.config.corsAllowedOrigins);

  const builtIn = new Map<string, (res: ServerResponse) => void>([
    [`${prefix}/health`, (res) => sendText(res, 200, "OK")],
    [`${prefix}/version`, (res) => sendText(res, 200, ctx.config.version)],
  ]);

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      // Route on the raw path: WHATWG URL parsing would resolve `..` and `%2e%2e` segments
      // before the artifact path checks could refuse them.
      const rawUrl = req.url ?? "/";
      const q = rawUrl.indexOf("?");
      const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const url = new URL(q < 0 ? "/" : rawUrl.slice(q), `http://${req.headers.host ?? "localhost"}`);
      url.pathname = pathname;
      const method = (req.method ?? "GET").toUpperCase() as HttpMethod;
      if (handleCors(req, res, cors, isApiPath(pathname, prefix))) return;
      const simple = builtIn.get(pathname);
      if (simple && method === "GET") return simple(res);

      const byMethod = exact.get(pathname);
      let found: Mounted | undefined = byMethod?.get(method);
      let rest = "";
      if (!found) {
        for (const p of prefixed) {
          if (p.method === method && pathname.startsWith(p.path)) {
            found = p.mounted;
            rest = decodeOnce(pathname.slice(p.path.length));
            break;
          }
        }
      }
      if (!found) {
        req.resume();
        if (byMethod)
          return sendJson(res, 405, {
            error_code: "BAD_REQUEST",
            message: `Method ${method} is not allowed on ${pathname}.`,
          });
        return sendJson(res, 404, { error_code: "ENDPOINT_NOT_FOUND", message: `No endpoint ${method} ${pathname}.` });
      }
      const refusal = areaRefusal(found.route.area, ctx, pathname);
      if (refusal) {
        req.resume();
        return sendText(res, 503, refusal);
      }
      if (found.route.kind === "raw") {
        await (found.route as RawRoute).handler(req, res, ctx, rest, url);
        return;
      }
      const route = found.route as JsonRoute;
      let raw: Record<string, unknown>;
      if (method === "GET") {
        found.arrays ??= arrayFields(route.input);
        raw = queryToObject(url.searchParams, found.arrays);
        req.resume();
      } else {
        if ((method === "POST" || method === "PUT") && !isJsonContentType(req.headers["content-type"])) {
          req.resume();
          const got = req.headers["content-type"];
          throw MlflowError.invalidParameter(
            `Bad Request. Content-Type must be one of [application/json].${got ? ` Got '${got}'.` : ""}`,
          );
        }
        raw = parseJsonBody(await readBody(req, ctx.config.maxJsonBodyBytes));
      }
      const input = parseRequest(route.input, raw);
      const user = basicAuthUser(req.headers.authorization);
      const output = await route.handler(input, user === undefined ? ctx : { ...ctx, user });
      if (isJsonStream(output)) await sendJsonStream(res, output);
      else sendJson(res, 200, output);
    } catch (e) {
      sendError(res, e, log);
    }
  };
}

function areaRefusal(area: Area, ctx: HandlerContext, path: string): string | undefined {
  if (area === "tracking" && ctx.config.artifactsOnly) {
    return `Endpoint: ${path} disabled due to the mlflow server running in \`--artifacts-only\` mode. To enable tracking operations, restart mlflow server without \`--artifacts-only\``;
  }
  if (area === "artifacts" && !ctx.config.serveArtifacts) {
    return `Endpoint: ${path} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``;
  }
  return undefined;
}

/** The user name of `Authorization: Basic ...` credentials, if any. */
function basicAuthUser(header: string | undefined): string | undefined {
  if (!header?.toLowerCase().startsWith("basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  return user === "" ? undefined : user;
}

/** URL-decodes a path once, as Flask does; a malformed escape is refused as a bad path. */
function decodeOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw MlflowError.invalidParameter("Invalid path");
  }
}
