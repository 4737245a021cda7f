import type { IncomingMessage } from "node:http";
import { MlflowError } from "@mlflow-ts/protocol";

/** Reads a request body up to `limit` bytes. Oversized bodies are refused without buffering them. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    throw MlflowError.invalidParameter(`Request body of ${declared} bytes exceeds the limit of ${limit} bytes.`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw MlflowError.invalidParameter(`Request body exceeds the limit of ${limit} bytes.`);
    }
    parts.push(chunk as Buffer);
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * Parses a JSON body the way MLflow does: an empty body is `{}`, a JSON string holding JSON is
 * parsed again (legacy double-encoded clients), and anything but an object is refused.
 */
export function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  const text = raw.toString("utf8");
  try {
    value = JSON.parse(text);
    if (typeof value === "string") value = value.trim() === "" ? {} : JSON.parse(value);
  } catch {
    throw MlflowError.invalidParameter("Malformed request body: it is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw MlflowError.invalidParameter("Malformed request body: expected a JSON object.");
  }
  // walking every nested object (1000 metrics in a batch) only when some key may be camelCase
  return MAYBE_CAMEL_KEY.test(text)
    ? snakeCaseKeys(value as Record<string, unknown>)
    : (value as Record<string, unknown>);
}

/**
 * Matches wherever a key (a string followed by a colon) may hold an upper-case letter; may also
 * match inside a string value, which only costs the walk. Keys spelled with \u escapes are the
 * one blind spot, and no client writes them.
 */
const MAYBE_CAMEL_KEY = /[A-Z][^"]*"\s*:/;

/** Accepts the proto JSON lowerCamelCase names (`experimentId`) next to snake_case ones. */
export function snakeCaseKeys(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const fixedValue = fixNested(value);
    const fixedKey = /[A-Z]/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
    if (fixedKey !== key || fixedValue !== value) {
      out ??= { ...obj };
      if (fixedKey !== key) {
        delete out[key];
        if (!(fixedKey in obj)) out[fixedKey] = fixedValue;
      } else out[key] = fixedValue;
    }
  }
  return out ?? obj;
}

function fixNested(value: unknown): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const mapped = value.map((v) => {
      const f = fixNested(v);
      if (f !== v) changed = true;
      return f;
    });
    return changed ? mapped : value;
  }
  if (value !== null && typeof value === "object") return snakeCaseKeys(value as Record<string, unknown>);
  return value;
}

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(";")[0]?.trim().toLowerCase() === "application/json";
}
