import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import type { HandlerContext } from "../route-types.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** MLflow's cache lifetime for hashed static files (28 days). */
export const STATIC_MAX_AGE = 2419200;

const MISSING =
  "The mlflow-ts web UI is not built. Run `npm run build` (or `npm run build -w @mlflow-ts/ui`) and restart the server.\n" +
  "The REST API is served under /api/2.0 and /ajax-api/2.0.\n";

let cached: string | null | undefined;

/** The UI bundle's directory (`@mlflow-ts/ui/dist`), or null when the package is not installed. */
export function uiDistDir(): string | null {
  // MLFLOW_TS_UI_DIR points the server at another bundle (a dev build, or tests).
  const fromEnv = process.env.MLFLOW_TS_UI_DIR;
  if (fromEnv) return resolve(fromEnv);
  if (cached !== undefined) return cached;
  try {
    const pkg = createRequire(import.meta.url).resolve("@mlflow-ts/ui/package.json");
    cached = join(dirname(pkg), "dist");
  } catch {
    cached = null;
  }
  return cached;
}

const gzip = promisify(gzipCb);
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".map"]);
/** Gzipped bundle files by path, keyed on mtime and size so a rebuilt bundle is recompressed. */
const gzipped = new Map<string, { stamp: string; body: Buffer }>();

async function gzipOf(file: string, stamp: string): Promise<Buffer> {
  const hit = gzipped.get(file);
  if (hit?.stamp === stamp) return hit.body;
  const body = await gzip(await readFile(file), { level: 9 });
  gzipped.set(file, { stamp, body });
  return body;
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): Promise<boolean> {
  let size: number;
  let stamp: string;
  try {
    const s = await stat(file);
    if (!s.isFile()) return false;
    size = s.size;
    stamp = `${s.mtimeMs}:${s.size}`;
  } catch {
    return false;
  }
  const type = TYPES[extname(file)] ?? "application/octet-stream";
  if (COMPRESSIBLE.has(extname(file)) && size > 1024 && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    const body = await gzipOf(file, stamp);
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": body.length,
      "Content-Encoding": "gzip",
      Vary: "Accept-Encoding",
      "Cache-Control": cache,
      "X-Content-Type-Options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }
  res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": size,
    Vary: "Accept-Encoding",
    "Cache-Control": cache,
    "X-Content-Type-Options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
    return true;
  }
  await pipeline(createReadStream(file), res);
  return true;
}

function notFound(req: IncomingMessage, res: ServerResponse, text: string): void {
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(req.method === "HEAD" ? undefined : text);
}

/** `GET|HEAD {prefix}/`: the UI's index.html, never cached (it names the hashed bundle files). */
export async function serveIndex(
  req: IncomingMessage,
  res: ServerResponse,
  _ctx: HandlerContext,
  _rest: string,
): Promise<void> {
  const dir = uiDistDir();
  if (!dir || !(await sendFile(req, res, join(dir, "index.html"), "no-cache"))) notFound(req, res, MISSING);
}

/** `GET|HEAD {prefix}/static-files/<path>`: the UI's assets, cached for 28 days like MLflow's. */
export async function serveStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  _ctx: HandlerContext,
  rest: string,
): Promise<void> {
  const dir = uiDistDir();
  if (!dir) return notFound(req, res, MISSING);
  const rel = rest; // the router has decoded it once
  const root = resolve(dir, "static-files");
  const file = resolve(root, rel);
  if (rel.includes("\0") || !file.startsWith(root + sep)) return notFound(req, res, "Not found\n");
  if (!(await sendFile(req, res, file, `public, max-age=${STATIC_MAX_AGE}`))) notFound(req, res, "Not found\n");
}

/** `GET {prefix}` (no trailing slash): redirect to `{prefix}/` so the bundle's relative asset URLs resolve. */
export async function redirectToIndex(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  _rest: string,
): Promise<void> {
  req.resume();
  res.writeHead(302, { Location: `${ctx.config.staticPrefix}/` });
  res.end();
}
