import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { ArtifactRepository, ByteRange } from "@mlflow-ts/artifacts";
import { contentTypeFor } from "../http/content-type.js";

/**
 * Streams one artifact as an attachment with MLflow's download headers. A single-range
 * `Range: bytes=...` request gets 206 with that slice (previews of large files), an
 * unsatisfiable one 416; other forms are ignored and the whole file is sent, as HTTP allows.
 */
export async function streamArtifact(
  res: ServerResponse,
  repo: ArtifactRepository,
  path: string,
  req?: IncomingMessage,
): Promise<void> {
  const range = parseRange(req?.headers.range);
  const result = await repo.read(path, range);
  const base = path.slice(path.lastIndexOf("/") + 1);
  const headers: Record<string, string | number> = {
    "Content-Type": contentTypeFor(base),
    "Content-Disposition": `attachment; filename="${base.replace(/["\\\r\n]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(base)}`,
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "bytes",
  };
  if (range && !result.range) {
    (result.stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    res.writeHead(416, { ...headers, "Content-Range": `bytes */${result.size}`, "Content-Length": 0 });
    res.end();
    return;
  }
  if (result.range) {
    const { start, end } = result.range;
    res.writeHead(206, {
      ...headers,
      "Content-Range": `bytes ${start}-${end}/${result.size}`,
      "Content-Length": end - start + 1,
    });
  } else {
    res.writeHead(200, { ...headers, "Content-Length": result.size });
  }
  await pipeline(result.stream, res);
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else (several ranges, other units) → undefined. */
export function parseRange(header: string | undefined): ByteRange | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === "" && b === "") return undefined;
  if (a === "") return { suffix: Number(b) };
  const start = Number(a);
  if (b === "") return { start };
  const end = Number(b);
  return end < start ? undefined : { start, end };
}
