import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * MLflow 3.x's CORS rules (`mlflow/server/security.py`): the configured origins plus any
 * localhost origin get CORS headers; preflights are answered with 204; a state-changing request
 * (POST/PUT/DELETE/PATCH) to the API from any other origin is refused with 403, so a page on
 * another site cannot write to a local server. `*` allows every origin.
 */
export interface CorsPolicy {
  allowAll: boolean;
  matchers: RegExp[];
}

/** Always allowed, as in MLflow (`LOCALHOST_ORIGIN_PATTERNS`): any port, or none. */
export const LOCAL_ORIGINS = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

const LOCAL_MATCHERS = [/^http:\/\/localhost(:\d+)?$/, /^http:\/\/127\.0\.0\.1(:\d+)?$/, /^http:\/\/\[::1\](:\d+)?$/];
const STATE_CHANGING = new Set(["POST", "PUT", "DELETE", "PATCH"]);
const ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS, PATCH";
export const CORS_BLOCKED_MESSAGE = "Cross-origin request blocked";

/** An entry with `*` is a glob (`https://*.example.com`), anything else must match exactly. */
export function corsPolicy(allowedOrigins: readonly string[]): CorsPolicy {
  const matchers = [...LOCAL_MATCHERS];
  for (const entry of allowedOrigins) {
    if (LOCAL_ORIGINS.includes(entry)) continue;
    const body = entry
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    matchers.push(new RegExp(`^${body}$`));
  }
  return { allowAll: allowedOrigins.includes("*"), matchers };
}

export function isOriginAllowed(policy: CorsPolicy, origin: string): boolean {
  return policy.allowAll || policy.matchers.some((m) => m.test(origin));
}

/**
 * Sets CORS headers for an allowed origin and answers what needs no route: preflights (204)
 * and blocked cross-origin writes to the API (403). Returns true when the response is done.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy, apiPath: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const method = (req.method ?? "GET").toUpperCase();
  const allowed = isOriginAllowed(policy, origin);
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
    // The SDK reads part ETags of multipart uploads from a browser.
    res.setHeader("Access-Control-Expose-Headers", "ETag, Content-Disposition");
    res.setHeader("Vary", "Origin");
  }
  if (method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
    if (allowed) {
      res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
      const requested = req.headers["access-control-request-headers"];
      if (requested) res.setHeader("Access-Control-Allow-Headers", requested);
      res.setHeader("Access-Control-Max-Age", "600");
    }
    req.resume();
    res.writeHead(204);
    res.end();
    return true;
  }
  if (!allowed && apiPath && STATE_CHANGING.has(method)) {
    req.resume();
    res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(CORS_BLOCKED_MESSAGE);
    return true;
  }
  return false;
}

/** `/api/...` and `/ajax-api/...`, with or without the static prefix. */
export function isApiPath(pathname: string, prefix: string): boolean {
  for (const p of prefix ? ["", prefix] : [""]) {
    if (pathname.startsWith(`${p}/api/`) || pathname.startsWith(`${p}/ajax-api/`)) return true;
  }
  return false;
}
