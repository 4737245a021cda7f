import { once } from "node:events";
import type { ServerResponse } from "node:http";

/**
 * A JSON response written in chunks, for bodies too large to build as one string (long metric
 * histories). Handlers return `jsonStream(chunks)`; the app writes it with backpressure.
 */
const STREAM = Symbol("json-stream");

export interface JsonStream {
  readonly [STREAM]: true;
  /** text, or UTF-8 bytes written as they are (no re-encoding) */
  readonly chunks: AsyncIterable<string | Uint8Array>;
}

export function jsonStream(chunks: AsyncIterable<string | Uint8Array>): JsonStream {
  return { [STREAM]: true, chunks };
}

export function isJsonStream(value: unknown): value is JsonStream {
  return typeof value === "object" && value !== null && STREAM in value;
}

export async function sendJsonStream(res: ServerResponse, stream: JsonStream): Promise<void> {
  res.writeHead(200, { "Content-Type": "application/json" });
  for await (const chunk of stream.chunks) {
    if (!res.write(chunk)) await once(res, "drain");
  }
  res.end();
}
